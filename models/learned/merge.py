"""Model and rules together: which answer the result keeps.

- Fields: a model field (its value already validated by the contract normalizer) replaces the
  rules' field when its calibrated confidence reaches ``override_min_conf``, and fills a field the
  rules did not find when it reaches ``fill_min_conf``; otherwise the rules' field stays. Both
  thresholds are per field (a dict, ``"*"`` the default) or one number. Every field says who
  produced it (``source``). With ``support``, a rules field's confidence is the model's
  calibrated probability for that field over the field's words.
- Guards the thresholds cannot give (they are chosen on generated papers): a model field counts only
  on a document type whose training papers carry that field (``type_fields``, from the model's
  manifest), and a birth date the model reads must lie at least ``MIN_HOLDER_AGE`` years before
  the paper's issue date (before the reading day when no issue date is read: session 28). Both
  were prompted by the real scans of session 24, where the model
  gave a birth date to letters and to papers with no person (the paper's own date).
- Document type: the rules' label when the rules are sure (confidence >= ``rules_keep_conf``:
  a title keyword matched), else the model's label when its confidence reaches ``doc_min_conf``,
  else the rules'. With ``opening_guard`` (manifests exported from session 27 on), a paper none
  of whose pages opens (no national motto, document number or title among the rules' blocks)
  keeps the rules' type: every paper the model trained on opens with its first page, so a loose
  later page (a letter's "Nơi nhận" and signature, a form's back) is outside what it learned.

The thresholds come from the model's manifest (chosen by `sohoa export` on the calibration
templates, or on the validation split for models exported before session 17), with these
defaults.
"""
from __future__ import annotations

from sohoa.models.fields.plausible import plausible_birth_date

DEFAULTS = {"override_min_conf": 0.5, "fill_min_conf": 0.0, "doc_min_conf": 0.5, "rules_keep_conf": 0.9}
OPENING_ROLES = frozenset({"national_motto", "number", "title"})


def opens(pages) -> bool:
    """Whether some page (``Page`` or its dict) has a block the layout read as a paper's opening."""
    for page in pages or []:
        blocks = page.get("blocks", []) if isinstance(page, dict) else page.blocks
        if any((b.get("type") if isinstance(b, dict) else b.type) in OPENING_ROLES for b in blocks):
            return True
    return False


def _t(th, name: str, default: float) -> float:
    if isinstance(th, dict):
        return float(th.get(name, th.get("*", default)))
    return float(th if th is not None else default)


def guarded(model_fields: dict[str, dict], rule_fields: dict, doc_type: str | None = None,
            type_fields: dict[str, list[str]] | None = None) -> dict[str, dict]:
    """The model's fields that pass the guards (module doc) on a paper of type ``doc_type``."""
    allowed = (type_fields or {}).get(doc_type) if doc_type else None
    out = {k: v for k, v in model_fields.items() if allowed is None or k in allowed}
    if "date_of_birth" in out:
        issued = rule_fields.get("issue_date") or out.get("issue_date")
        issued = issued.get("value") if isinstance(issued, dict) else getattr(issued, "value", None)
        if not plausible_birth_date(out["date_of_birth"]["value"], issued):
            del out["date_of_birth"]
    return out


def merge_fields(model_fields: dict[str, dict], rule_fields: dict, override_min_conf=0.5,
                 fill_min_conf=0.0, support=None, doc_type: str | None = None,
                 type_fields: dict[str, list[str]] | None = None) -> dict:
    """``model_fields``: name → {value, text, confidence, page, bbox}; ``rule_fields``: name →
    ``Field`` (or dict); ``doc_type`` and ``type_fields``: the guards' (``guarded``). Returns
    name → dict with ``source``."""
    out: dict[str, dict] = {}
    model_fields = guarded(model_fields, rule_fields, doc_type, type_fields)
    for name in list(dict.fromkeys(list(model_fields) + list(rule_fields))):
        m = model_fields.get(name)
        r = rule_fields.get(name)
        r = r.model_dump() if hasattr(r, "model_dump") else (dict(r) if r is not None else None)
        if m is not None and m["confidence"] >= _t(fill_min_conf if r is None else override_min_conf, name,
                                                     0.0 if r is None else 0.5):
            out[name] = {**m, "source": "model"}
        elif r is not None:
            out[name] = {**r, "source": r.get("source") or "rules"}
            if support is not None:
                # The model checks the rules: its calibrated belief that these words are this
                # field becomes the confidence (a field the model does not see there sorts first).
                s = support(name, int(r.get("page", 1)), r["bbox"])
                conf = s if s is not None else 0.5 * float(r.get("confidence", 0.5))
                out[name]["confidence"] = round(min(1.0, max(0.0, conf)), 4)
    return out


def merge_answer(model_label: str, model_scores: dict[str, float], model_fields: dict[str, dict], rules_label: str,
                 rules_conf: float, rule_fields: dict, *, override_min_conf=0.5, fill_min_conf=0.0,
                 doc_min_conf: float = 0.5, rules_keep_conf: float = 0.9,
                 type_fields: dict[str, list[str]] | None = None, opening_guard: bool = False,
                 pages=None) -> tuple[str, str, dict]:
    """The document type the result keeps (label, source), then its fields merged on that type
    (the guards read it). The keywords are a model's ``LearnedModel.thresholds``; ``pages``
    (``Page`` or dicts) are what ``opening_guard`` reads."""
    label, source = merge_doc_type(model_label, model_scores, rules_label, doc_min_conf, rules_conf, rules_keep_conf,
                                   opening_guard, pages)
    return label, source, merge_fields(model_fields, rule_fields, override_min_conf, fill_min_conf,
                                       doc_type=label, type_fields=type_fields)


def merge_doc_type(model_label: str, model_scores: dict[str, float], rules_label: str,
                   doc_min_conf: float = 0.5, rules_conf: float = 0.0, rules_keep_conf: float = 0.9,
                   opening_guard: bool = False, pages=None) -> tuple[str, str]:
    """(label, source). With ``opening_guard``, ``pages`` (``Page`` or dicts) that do not open keep
    the rules' label."""
    if model_label == rules_label:
        return model_label, "model"
    if rules_conf >= rules_keep_conf or (opening_guard and not opens(pages)):
        return rules_label, "rules"
    if model_scores.get(model_label, 0.0) >= doc_min_conf:
        return model_label, "model"
    return rules_label, "rules"
