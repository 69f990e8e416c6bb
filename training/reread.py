"""Re-reading an OCR cache with this checkout's layout and rules.

A cache (``training.ocr_cache``, ``training.compare cache``) keeps every page's OCR lines with
their words and boxes, inside the blocks the layout made of them, and the rules' answer on those
blocks. OCR is the slow part (seconds a page on this 2-core machine); the layout, the classifier
and the field rules after it take milliseconds. So evaluation reads the cached lines again through
the layout, the classifier and the field rules of this checkout: a change to any of them is
measured on the caches as they are, with no new OCR.

The lines are given back to ``layout.analyze`` as the OCR gave them (sorted top to bottom), with
the ruled tables, stamps and photos the cached blocks record. On caches made by unchanged code
this gives the cached blocks back exactly (checked: ``tests/learned/test_reread.py`` on a fixture,
and in session 30 every page of four caches, 2237 pages).
"""
from __future__ import annotations

from dataclasses import dataclass

from sohoa.models import classify, layout
from sohoa.models.config import get_vocabulary
from sohoa.models.document import Field, Page
from sohoa.models.fields import rules
from sohoa.models.ocr.base import OcrLine, OcrWord

_REGIONS = ("table", "stamp", "photo")


@dataclass
class Reading:
    pages: list[Page]
    doc_type: str
    doc_conf: float
    fields: dict[str, Field]

    def page_dicts(self) -> list[dict]:
        """The pages as a cache holds them (plain JSON), the shape every reader of a cache indexes."""
        return [page.model_dump(mode="json") for page in self.pages]

    def field_dicts(self) -> dict[str, dict]:
        return {name: f.model_dump() for name, f in self.fields.items()}


def _regions(page: dict, kind: str) -> list[tuple[int, int, int, int]]:
    return [tuple(b["bbox"]) for b in page["blocks"] if b["type"] == kind]


def relayout(page: dict) -> Page:
    """One cached page (a ``Page`` dict) with its blocks made again by this checkout's layout."""
    lines = [OcrLine([OcrWord(w["text"], tuple(w["bbox"]), float(w.get("confidence", 1.0))) for w in ln["words"]])
             for b in page["blocks"] if b["type"] not in ("stamp", "photo")
             for ln in b["lines"] if ln.get("words")]
    lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    tables, stamps, photos = (_regions(page, kind) for kind in _REGIONS)
    blocks = layout.analyze(lines, page["width"], page["height"], stamps, tables, photos)
    return Page(**{**{k: v for k, v in page.items() if k != "blocks"}, "blocks": blocks})


def reread(pages: list[dict | Page]) -> Reading:
    """The pages' layout, document type and rules fields as this checkout's pipeline makes them
    from the same OCR lines. The fields keep the rules' own confidence, as the caches do (they are
    made with ``SOHOA_FIELD_CONFIDENCE=0``: what ``training.field_confidence`` fits on)."""
    pages = [relayout(p.model_dump() if isinstance(p, Page) else p) for p in pages]
    doc_type = classify.classify(pages, get_vocabulary())
    return Reading(pages, doc_type.label, doc_type.confidence, rules.extract_fields(pages))
