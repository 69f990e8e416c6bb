"""Retitling: a training page whose printed title is another document type's title, labelled with
that type (``train.py --retitle P``).

Why: three judgements running (fresh23 to fresh28), most of the layout model's document-type
errors on templates it never saw were `other` papers about one person or firm (a notice to the
commune, a payment slip, a discharge paper) read as an application or a certificate: their body
looks like a form's (labelled lines of a person, "Kính gửi", the applicant signing), while their
title ("THÔNG BÁO", "GIẤY RA VIỆN") says what they are. In the training data a body of that shape
comes almost always under a form's or a certificate's title, so the body is a shortcut for the
type. The contract names the types by their titles (Giấy phép, Giấy chứng nhận, Đơn / Tờ khai,
Quyết định, ...), so a page keeps its body and takes the title of a page of another type, and its
label follows the title: the body no longer tells the type on its own.

The donor titles are the titles of the training pages themselves (``title_donors``): no template
the model is judged on lends one. For a stacked model the rules' document type at [CLS] is
replaced too: the rules type a paper by its title, so they would mostly name the new type; with
probability ``unknown`` it reads as "the rules found nothing" instead.
"""
from __future__ import annotations

import random

# The example's lists with one entry per word (page_augment.WORD_KEYS).
from sohoa.training.page_augment import WORD_KEYS, lay_words


def _title_span(ex: dict) -> list[int]:
    """Indices of the words of the page's title field (its first span), or []."""
    tags = ex["field_tags"]
    start = next((i for i, t in enumerate(tags) if t == "B-title"), None)
    if start is None:
        return []
    end = start + 1
    while end < len(tags) and tags[end] == "I-title":
        end += 1
    return list(range(start, end))


def title_donors(examples: list[dict]) -> dict[str, list[list[str]]]:
    """Document type -> the distinct titles (their words) of the examples of that type."""
    seen: dict[str, dict[tuple, None]] = {}
    for ex in examples:
        span = _title_span(ex)
        if span:
            seen.setdefault(ex["doc_type"], {})[tuple(ex["words"][i] for i in span)] = None
    return {t: [list(w) for w in titles] for t, titles in seen.items()}


def retitle(ex: dict, rng: random.Random, donors: dict[str, list[list[str]]], p: float = 0.0,
            unknown: float = 0.3) -> dict:
    """With probability ``p``, a copy of the page with its title's words replaced by a donor's
    title of another document type and ``doc_type`` set to the donor's. The new words are laid over
    the old title's lines (as many words per line as the old line had, in proportion) and take
    the first old word's role, line, role tag and rules' field of their line. A page without a
    title, or no donor of another type: the page itself."""
    if p <= 0 or rng.random() >= p:
        return ex
    span = _title_span(ex)
    others = sorted(t for t, titles in donors.items() if t != ex["doc_type"] and titles)
    if not span or not others:
        return ex
    # the type first, then one of its titles: decisions have few distinct titles, licences many
    doc_type = rng.choice(others)
    words = rng.choice(donors[doc_type])
    keys = [k for k in WORD_KEYS if ex.get(k) is not None]
    # the old title's lines, in reading order, and how many of the new words each one takes
    lines: list[list[int]] = []
    for i in span:
        if lines and ex["lines"][i] == ex["lines"][lines[-1][0]]:
            lines[-1].append(i)
        else:
            lines.append([i])
    lines = lines[:len(words)]  # a one-word title fills one line
    cuts, taken = [], 0
    for k, idx in enumerate(lines):
        share = round(len(words) * sum(len(l_) for l_ in lines[:k + 1]) / sum(len(l_) for l_ in lines))
        share = max(share, taken + 1) if k < len(lines) - 1 else len(words)
        share = min(share, len(words) - (len(lines) - 1 - k))  # each later line keeps a word
        cuts.append((taken, share))
        taken = share
    new = {k: [] for k in keys}
    for idx, (a, b) in zip(lines, cuts):
        tag = (lambda j, a=a: "B-title" if a + j == 0 else "I-title")  # the title's first word opens it
        for k, vals in lay_words(ex, keys, idx[0], idx, " ".join(words[a:b]), field_tags=tag).items():
            new[k] += vals
    lo, hi = span[0], span[-1] + 1
    out = {**ex, **{k: ex[k][:lo] + new[k] + ex[k][hi:] for k in keys}, "doc_type": doc_type}
    if ex.get("rules") is not None or ex.get("rule_fields") is not None:
        rules_type = None if rng.random() < unknown else doc_type
        out["rules"] = {**(ex.get("rules") or {}), "doc_type": rules_type}
    return out
