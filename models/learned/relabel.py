"""Block roles from the model's line-role head, where it is sure (see ``runtime.relabel_blocks``)."""
from sohoa.models.learned.runtime import relabel_blocks

__all__ = ["relabel_blocks"]
