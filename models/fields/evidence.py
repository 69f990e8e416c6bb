"""A field's value with the evidence it was read from: the lines, their box and the OCR's
confidence in them. Shared by the rules that read form labels and those that read prose."""
from __future__ import annotations

from sohoa.models.document import BBox, Field, Line
from sohoa.models.fields.normalize import fold_text, normalize_field


def union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def field_on_lines(name: str, text: str, lines: list[Line], page: int, prior: float,
                   value: str | None = None) -> Field | None:
    """The field ``name`` read as ``text`` on ``lines`` (normalized unless ``value`` is given);
    its confidence is the rule's ``prior`` scaled by the OCR's least sure line."""
    value = value if value is not None else normalize_field(name, text)
    if not value:
        return None
    ocr_conf = min(ln.confidence for ln in lines)
    return Field(value=value, text=fold_text(text) or text, confidence=round(prior * (0.3 + 0.7 * ocr_conf), 4),
                 page=page, bbox=union([ln.bbox for ln in lines]), source="rules")
