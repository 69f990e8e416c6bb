"""Pure metric functions of ``sohoa bench`` (no I/O, no pipeline): text error rates, field
precision/recall/F1 (strict and soft), document-type accuracy and confusion matrix.

Definitions (also in data/README.md):

- Text is compared after ``fold_ws``: Unicode NFC and every run of white space (line breaks
  included) folded to one space, stripped. Case and punctuation count.
- CER = Levenshtein(pred, gt) / len(gt), in characters; WER the same over white-space tokens.
  Corpus figures are given both as the mean over documents and "micro" (total edits / total
  reference length).
- Order-free word scores (``bow_*``): the multiset of white-space tokens of the prediction against
  the reference's, ignoring order: recall = matched / reference words, precision = matched /
  predicted words. A reading-order error costs CER/WER a lot and these nothing, so the pair
  separates recognition from ordering.
- Field values are compared after ``field_key``: NFC, case-folded, white space folded.
  strict: keys equal. soft: normalized Levenshtein similarity of the keys >= ``SOFT_THRESHOLD`` (0.8).
- Per field: TP = predicted and matches the reference; FP = predicted but the reference is absent
  or differs; FN = reference present but not predicted or differs (a wrong value is both FP and FN).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Levenshtein

SOFT_THRESHOLD = 0.8
_WS = re.compile(r"\s+")


def fold_ws(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def field_key(value: str) -> str:
    return fold_ws(value).casefold()


# --- text ----------------------------------------------------------------------------------------

@dataclass
class TextScore:
    char_edits: int
    char_total: int
    word_edits: int
    word_total: int
    words_matched: int = 0      # order-free: multiset intersection of words
    words_predicted: int = 0

    @property
    def cer(self) -> float:
        return self.char_edits / max(1, self.char_total)

    @property
    def wer(self) -> float:
        return self.word_edits / max(1, self.word_total)


def text_score(pred: str, gt: str) -> TextScore:
    p, g = fold_ws(pred), fold_ws(gt)
    pw, gw = p.split(), g.split()
    matched = sum((Counter(pw) & Counter(gw)).values())
    return TextScore(Levenshtein.distance(p, g), len(g), Levenshtein.distance(pw, gw), len(gw), matched, len(pw))


def cer(pred: str, gt: str) -> float:
    return text_score(pred, gt).cer


def wer(pred: str, gt: str) -> float:
    return text_score(pred, gt).wer


def aggregate_text(scores: list[TextScore]) -> dict:
    if not scores:
        return {"n": 0}
    return {
        "n": len(scores),
        "cer_mean": sum(s.cer for s in scores) / len(scores),
        "wer_mean": sum(s.wer for s in scores) / len(scores),
        "cer_micro": sum(s.char_edits for s in scores) / max(1, sum(s.char_total for s in scores)),
        "wer_micro": sum(s.word_edits for s in scores) / max(1, sum(s.word_total for s in scores)),
        "bow_recall": sum(s.words_matched for s in scores) / max(1, sum(s.word_total for s in scores)),
        "bow_precision": sum(s.words_matched for s in scores) / max(1, sum(s.words_predicted for s in scores)),
        "chars": sum(s.char_total for s in scores),
        "words": sum(s.word_total for s in scores),
    }


# --- fields --------------------------------------------------------------------------------------

def values_match(pred: str, gt: str, soft: bool = False) -> bool:
    a, b = field_key(pred), field_key(gt)
    if a == b:
        return True
    return soft and Levenshtein.normalized_similarity(a, b) >= SOFT_THRESHOLD


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class FieldScores:
    strict: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    soft: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    def add(self, pred: dict[str, str], gt: dict[str, str], names: list[str] | None = None) -> None:
        """``pred`` and ``gt`` map field name → value (absent fields are missing keys)."""
        for name in names or sorted(set(pred) | set(gt)):
            for soft, table in ((False, self.strict), (True, self.soft)):
                c = table[name]
                p, g = pred.get(name), gt.get(name)
                if p is not None and g is not None and values_match(p, g, soft):
                    c.tp += 1
                else:
                    if p is not None:
                        c.fp += 1
                    if g is not None:
                        c.fn += 1

    def report(self) -> dict:
        out = {}
        for mode, table in (("strict", self.strict), ("soft", self.soft)):
            total = Counts()
            per = {}
            for name in sorted(table):
                c = table[name]
                per[name] = c.as_dict()
                total.tp += c.tp
                total.fp += c.fp
                total.fn += c.fn
            out[mode] = {"per_field": per, "micro": total.as_dict()}
        return out


# --- document type -------------------------------------------------------------------------------

def confusion(pairs: list[tuple[str, str]], labels: list[str] | None = None) -> dict:
    """``pairs`` of (reference, predicted) → accuracy and matrix[reference][predicted]."""
    labels = list(labels or [])
    for g, p in pairs:
        for x in (g, p):
            if x not in labels:
                labels.append(x)
    matrix = {g: {p: 0 for p in labels} for g in labels}
    for g, p in pairs:
        matrix[g][p] += 1
    correct = sum(1 for g, p in pairs if g == p)
    return {"n": len(pairs), "accuracy": correct / len(pairs) if pairs else None, "labels": labels,
            "matrix": matrix}


def lowest_share(rows: list[tuple]) -> dict:
    """Of all wrong fields, the share found in the lowest-confidence 10 % of fields."""
    if not rows:
        return {}
    rows = sorted(rows, key=lambda r: r[0])
    k = max(1, int(round(0.1 * len(rows))))
    errors = sum(1 for r in rows if not r[1])
    low_err = sum(1 for r in rows[:k] if not r[1])
    return {"fields": len(rows), "errors": errors, "lowest_10pct": k, "errors_in_lowest_10pct": low_err,
            "share_of_errors": low_err / errors if errors else None,
            "error_rate_lowest_10pct": low_err / k, "error_rate_rest": (errors - low_err) / max(1, len(rows) - k)}


# --- two systems on the same documents -----------------------------------------------------------

def strict_counts(pred: dict[str, str], gt: dict[str, str]) -> tuple[int, int, int]:
    """One document's strict (TP, FP, FN) over every field, as ``FieldScores`` counts them."""
    scores = FieldScores()
    scores.add(pred, gt)
    micro = scores.report()["strict"]["micro"]
    return micro["tp"], micro["fp"], micro["fn"]


def paired_difference(base: list[tuple], other: list[tuple], resamples: int = 2000, seed: int = 0) -> dict:
    """How far ``other`` is above ``base`` on the same documents, and whether clearly: rows are one
    per document, (type right, strict TP, FP, FN), in the same order for both. The documents are
    resampled with replacement (a paired bootstrap, seeded) and the difference of document-type
    accuracy and of micro strict F1 recomputed each time; "clearly above" means the 95 % interval
    of a difference lies above zero. One blind set's templates are few, so a gain of a few papers
    is within its noise: this says which gains are not."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] != 4 or not len(a):
        raise ValueError("paired_difference: one (type right, tp, fp, fn) row per document, same documents")

    def type_acc(x):
        return x[..., 0].mean(axis=-1)

    def f1(x):
        tp, fp, fn = (x[..., i].sum(axis=-1) for i in (1, 2, 3))
        return np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)

    idx = np.random.default_rng(seed).integers(0, len(a), size=(resamples, len(a)))
    out = {"documents": len(a), "resamples": resamples}
    for name, stat in (("doc_type_accuracy", type_acc), ("strict_f1", f1)):
        boot = stat(b[idx]) - stat(a[idx])
        low, high = np.percentile(boot, [2.5, 97.5])
        out[name] = {"difference": float(stat(b) - stat(a)), "ci95": [float(low), float(high)],
                     "clearly_above": bool(low > 0)}
    return out
