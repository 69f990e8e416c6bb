"""Model and rules together: which answer the result keeps.

- Fields: a model field (its value already validated by the contract normalizer) is kept when
  its calibrated confidence reaches ``override_min_conf``, or when the rules found nothing for
  that field; otherwise the rules' field stays. Every field says who produced it (``source``).
- Document type: the model's label when its confidence reaches ``doc_min_conf``, else the rules'.

The thresholds come from the model's manifest (chosen on the validation split), with these
defaults.
"""
from __future__ import annotations

DEFAULTS = {"override_min_conf": 0.5, "doc_min_conf": 0.5}


def merge_fields(model_fields: dict[str, dict], rule_fields: dict, override_min_conf: float = 0.5) -> dict:
    """``model_fields``: name → {value, text, confidence, page, bbox}; ``rule_fields``: name →
    ``Field`` (or dict). Returns name → dict with ``source``."""
    out: dict[str, dict] = {}
    for name in list(dict.fromkeys(list(model_fields) + list(rule_fields))):
        m = model_fields.get(name)
        r = rule_fields.get(name)
        r = r.model_dump() if hasattr(r, "model_dump") else (dict(r) if r is not None else None)
        if m is not None and (r is None or m["confidence"] >= override_min_conf):
            out[name] = {**m, "source": "model"}
        elif r is not None:
            out[name] = {**r, "source": r.get("source") or "rules"}
    return out


def merge_doc_type(model_label: str, model_scores: dict[str, float], rules_label: str,
                   doc_min_conf: float = 0.5) -> tuple[str, str]:
    """(label, source)."""
    if model_scores.get(model_label, 0.0) >= doc_min_conf or model_label == rules_label:
        return model_label, "model"
    return rules_label, "rules"
