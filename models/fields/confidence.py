"""Field confidence a reviewer can sort by: P(the field is right), from what the page shows of it.

The rules' own confidence is a prior per rule times the *line's* OCR confidence. A wrong field is
usually an OCR slip inside it, which the confidences of the field's own *words* show better. A
small logistic model over a few such features (``FEATURES``) gives P(correct); its weights are
fitted on the training split of an OCR cache (``python -m sohoa.training.field_confidence``, the
command and data recorded in the file) and shipped as ``field_confidence.json`` beside this module.
Word confidences differ between OCR engines, so the weights apply only to the engine they were
fitted with; with another engine the rules' confidence stays.

Tried and left out (leave-one-template-out on the training and validation templates): the layout
model's agreement with the rules and its probability for the field over those words. They look
decisive on the templates the model was trained on and mislead on new ones.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from sohoa.models.fields.names import SURNAMES
from sohoa.models.fields.normalize import is_syllable

FILE = Path(__file__).with_name("field_confidence.json")
PERSON_FIELDS = ("holder_name", "signer_name")
FEATURES = ("rules_conf", "ocr_min", "ocr_mean", "non_syllable_share", "log_chars", "person_surname_unknown")
_LETTERS = re.compile(r"[^\W\d_]+")


def _get(o, k, default=None):
    return o.get(k, default) if isinstance(o, dict) else getattr(o, k, default)


def page_word_boxes(page) -> list[tuple[tuple[int, int, int, int], float]]:
    """(bbox, OCR confidence) of every word of a page (pydantic ``Page`` or its dict); a line
    without word boxes counts as one word."""
    out = []
    for block in _get(page, "blocks") or []:
        for line in _get(block, "lines") or []:
            words = _get(line, "words") or []
            for w in words or [line]:
                conf = _get(w, "confidence")
                out.append((tuple(_get(w, "bbox")), float(1.0 if conf is None else conf)))
    return out


def words_by_page(pages: list) -> dict[int, list[tuple[tuple[int, int, int, int], float]]]:
    """Page number → ``page_word_boxes`` of that page."""
    return {int(_get(p, "number", i + 1)): page_word_boxes(p) for i, p in enumerate(pages)}


def field_features(name: str, field, words: list[tuple[tuple, float]]) -> dict[str, float]:
    """The features of one answered field (``Field`` or its dict) given its page's words."""
    text = str(_get(field, "text") or _get(field, "value") or "")
    tokens = _LETTERS.findall(text)
    x0, y0, x1, y1 = _get(field, "bbox") or (0, 0, 0, 0)
    confs = [conf for (wx0, wy0, wx1, wy1), conf in words  # the words whose centre is in the field's box
             if x0 - 2 <= (wx0 + wx1) / 2 <= x1 + 2 and y0 - 2 <= (wy0 + wy1) / 2 <= y1 + 2]
    return {
        "rules_conf": float(_get(field, "confidence", 0.5)),
        "ocr_min": min(confs) if confs else 1.0,
        "ocr_mean": float(np.mean(confs)) if confs else 1.0,
        # an OCR slip often leaves a token that is no Vietnamese syllable ("Nnguyễn")
        "non_syllable_share": sum(1 for t in tokens if len(t) > 1 and not is_syllable(t)) / max(1, len(tokens)),
        "log_chars": float(np.log1p(len(text))),
        "person_surname_unknown": float(name in PERSON_FIELDS and bool(tokens)
                                        and tokens[0].capitalize() not in SURNAMES),
    }


class FieldConfidence:
    """P(correct) = sigmoid(bias + field_bias[name] + sum of weight x feature); features without a
    weight are not used."""

    def __init__(self, weights: dict[str, float], bias: float, field_bias: dict[str, float] | None = None,
                 engine: str = "sohoa", meta: dict | None = None):
        self.weights, self.bias, self.field_bias, self.engine = weights, bias, field_bias or {}, engine
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path = FILE) -> FieldConfidence | None:
        if not Path(path).exists():
            return None
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        meta = {k: v for k, v in d.items() if k not in ("weights", "bias", "field_bias", "engine")}
        return cls(d["weights"], d["bias"], d.get("field_bias"), d.get("engine", "sohoa"), meta)

    def to_json(self) -> dict:
        return {**self.meta, "engine": self.engine, "weights": self.weights, "bias": self.bias,
                "field_bias": self.field_bias}

    def __call__(self, name: str, features: dict[str, float]) -> float:
        z = self.bias + self.field_bias.get(name, 0.0) + sum(w * features[k] for k, w in self.weights.items())
        return float(1.0 / (1.0 + np.exp(-z)))

    def rescore(self, fields: dict, pages: list) -> dict:
        """The fields (name → ``Field``) with ``confidence`` = P(correct)."""
        words = words_by_page(pages)
        return {name: f.model_copy(update={"confidence": round(self(name, field_features(name, f, words.get(f.page, []))), 4)})
                for name, f in fields.items()}


@lru_cache(maxsize=1)
def default_field_confidence() -> FieldConfidence | None:
    return FieldConfidence.load()
