"""The effective result = the machine result + the reviewer's corrections.

The machine result is stored as the pipeline returned it and is never edited; corrections are a
separate overlay ``{"doc_type": label | None, "fields": {name: {...} | None}}`` (``None`` removes
a field the machine found but the page does not carry).
"""
from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # contract dates: YYYY, YYYY-MM, YYYY-MM-DD


def fold(text: str | None) -> str | None:
    """Key for matching names: NFC, case folded, runs of white space folded to one space."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip().casefold()[:255] or None


def search_key(filename: str | None, text: str | None) -> str:
    """What ``GET /v1/documents?q=`` searches: file name and text, NFC, case folded."""
    joined = unicodedata.normalize("NFC", f"{filename or ''}\n{text or ''}")
    return joined.casefold()


def empty_corrections() -> dict[str, Any]:
    return {"doc_type": None, "fields": {}}


def effective_result(machine: dict | None, corrections: dict | None) -> dict | None:
    if machine is None:
        return None
    result = copy.deepcopy(machine)
    corr = corrections or {}
    label = corr.get("doc_type")
    if label:
        dt = result.setdefault("doc_type", {"label": label, "confidence": 1.0, "scores": {}})
        dt["label"] = label
        dt["confidence"] = 1.0
    fields = result.setdefault("fields", {})
    for name, change in (corr.get("fields") or {}).items():
        if change is None:
            fields.pop(name, None)
            continue
        before = fields.get(name) or {}
        value = str(change.get("value", before.get("value", "")))
        fields[name] = {
            "value": value,
            "text": change.get("text") or before.get("text") or value,
            "confidence": 1.0,
            "page": int(change.get("page") or before.get("page") or 1),
            "bbox": [int(v) for v in (change.get("bbox") or before.get("bbox") or [0, 0, 0, 0])],
            "source": "reviewer",
        }
    return result


def review_confidence(machine: dict | None) -> float | None:
    """What the review queue sorts by: the least confident of the doc type and the fields."""
    if not machine:
        return None
    values = [float(machine.get("doc_type", {}).get("confidence", 0.0))]
    values += [float(f.get("confidence", 0.0)) for f in (machine.get("fields") or {}).values()]
    return min(values)


def index_columns(effective: dict | None) -> dict[str, Any]:
    """Denormalized columns of the documents table, from an effective result."""
    if not effective:
        return {"doc_type": None, "text": None, "document_number": None, "personal_id": None,
                "business_code": None, "holder_key": None, "valid_until": None}
    fields = effective.get("fields") or {}

    def val(name: str, limit: int) -> str | None:
        f = fields.get(name)
        return (str(f.get("value") or "")[:limit] or None) if f else None

    valid = val("valid_until", 10)
    return {
        "doc_type": (effective.get("doc_type") or {}).get("label"),
        "text": effective.get("text") or "",
        "document_number": val("document_number", 100),
        "personal_id": val("personal_id", 20),
        "business_code": val("business_code", 40),
        "holder_key": fold(val("holder_name", 255)),
        "valid_until": valid if valid and ISO_DATE.match(valid) else None,
    }
