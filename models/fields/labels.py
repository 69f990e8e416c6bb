"""The printed labels of form lines ("Họ và tên:", "Địa chỉ:") and the contract field each one
announces, from ``labels.yaml``; matched on the accent-free text (``strip_accents``)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from sohoa.models.fields.normalize import strip_accents


NOT_A_FIELD = "not_a_field"  # labels.yaml's labels that fill no field but bound their neighbours' values
_LIST_MARKS = " -+•0123456789.)"  # what may open a form line before its label ("1. ", "- ")


@lru_cache
def lexicon() -> dict[str, list[str]]:
    """Field name → its printed labels, as written in ``labels.yaml``."""
    raw = yaml.safe_load((Path(__file__).parent / "labels.yaml").read_text(encoding="utf-8"))
    return {name: [str(label) for label in labels] for name, labels in raw.items()}


@lru_cache
def _labels() -> list[tuple[str, str]]:
    pairs = [(strip_accents(label), name) for name, labels in lexicon().items() for label in labels]
    return sorted(pairs, key=lambda p: -len(p[0]))  # longest label first


@lru_cache(maxsize=None)
def _label_re(label: str) -> re.Pattern:
    """A label ending in ":" is bound to its colon ("Tôi là:", "Cho phép:"): its words alone also
    occur in prose. One ending in "…:" opens a line and takes the words up to its colon, which
    name a role ("Người vi phạm …:" is "Người vi phạm (chủ đầu tư):"). Any other label ends at a
    word boundary."""
    if label.endswith("…:"):
        return re.compile(re.escape(label[:-2].rstrip()) + r"[^:]{0,45}(?=:)")
    if label.endswith(":"):
        return re.compile(re.escape(label[:-1].rstrip()) + r"(?=\s*:)")  # the colon is not in the span
    return re.compile(re.escape(label) + r"\b")


def labelled_field(text: str) -> str | None:
    """The contract field a form line's printed label announces ("Họ và tên: …" → holder_name)."""
    key = strip_accents(text).lstrip(_LIST_MARKS)
    for label, name in _labels():
        if _label_re(label).match(key) if label.endswith(":") else key.startswith(label):
            return name
    return None


def label_hits(key: str) -> list[tuple[int, int, str]]:
    """(start, end, field) of every known label in an accent-free line, left to right."""
    hits: list[tuple[int, int, str]] = []
    lead = len(key) - len(key.lstrip(_LIST_MARKS))
    for label, name in _labels():
        # "CMND/CCCD số:": a slash may join two labels
        for m in re.finditer(r"(?:^|[\s.;,(/-])(" + _label_re(label).pattern + ")", key):
            if label.endswith("…:") and m.start(1) != lead:
                continue  # a line-opening label
            if not any(s <= m.start(1) < e for s, e, _ in hits):
                hits.append((m.start(1), m.end(1), name))
    hits.sort()
    # words between a label and its colon are part of that label: "Địa chỉ cơ sở:" is an
    # address, not an address followed by the holder's "Cơ sở:"
    kept: list[tuple[int, int, str]] = []
    for h in hits:
        if kept and 0 <= label_colon(key, kept[-1][1], len(key)) > h[0]:
            continue
        kept.append(h)
    return kept


def label_colon(key: str, end: int, stop: int) -> int:
    """The colon that closes a label ending at ``end`` (-1 if none before ``stop``): words may
    come between them, up to 30 characters ("Địa chỉ liên hệ:"), or up to 45 if no digit is
    among them ("Người đại diện theo pháp luật (họ tên, chức danh):"); a digit there is a value
    ("sinh ngày 25 tháng 10 năm 1967, nơi cư trú:")."""
    colon = key.find(":", end, min(stop, end + 45))
    if colon > end + 30 and any(c.isdigit() for c in key[end:colon]):
        return -1
    return colon
