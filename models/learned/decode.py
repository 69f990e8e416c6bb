"""BIO tags of words → contract field spans (pure functions, no model)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass
class Span:
    name: str
    words: list[int]        # word indices on the page, in order
    confidence: float       # mean over its words of P(B-name) + P(I-name)


def parse_label(label: str) -> tuple[str, str | None]:
    if label == "O" or "-" not in label:
        return "O", None
    prefix, name = label.split("-", 1)
    return prefix, name


def decode_bio(probs: np.ndarray, labels: list[str], gap: int = 0) -> list[Span]:
    """Spans from per-word label probabilities ``probs`` [n_words, n_labels].

    Greedy: each word takes its argmax label; ``B-x`` opens a span, ``I-x`` continues an open
    ``x`` span (or opens one: a missed ``B`` must not lose the field). ``gap`` lets a span run
    over that many ``O`` words when the same field resumes right after: those words belong to the
    value ("Số [51/20,] đường …", a house number the tagger missed between two address words), but
    not to its confidence, which is taken over the words tagged with the field."""
    parsed = [parse_label(lb) for lb in labels]
    b_idx = {name: i for i, (p, name) in enumerate(parsed) if p == "B"}
    i_idx = {name: i for i, (p, name) in enumerate(parsed) if p == "I"}
    spans: list[Span] = []
    cur: tuple[str, list[int], list[int]] | None = None  # field, words, words tagged with it
    pending: list[int] = []

    def close():
        nonlocal cur
        if cur is not None:
            name, ws, tagged = cur
            conf = float(np.mean([probs[w, b_idx[name]] + probs[w, i_idx[name]] for w in tagged]))
            spans.append(Span(name, ws, min(1.0, conf)))
        cur = None

    for w in range(probs.shape[0]):
        prefix, name = parsed[int(np.argmax(probs[w]))]
        if prefix == "O":
            if cur is not None:
                pending.append(w)
                if len(pending) > gap:
                    close()
            continue
        if prefix == "I" and cur is not None and cur[0] == name:
            cur[1].extend(pending + [w])
            cur[2].append(w)
        else:
            close()
            cur = (name, [w], [w])
        pending = []
    close()
    return spans


def join_list_spans(spans: list[Span], names=("recipient",), gap: int = 1) -> list[Span]:
    """Spans of a field in ``names`` that follow each other (at most ``gap`` words apart) become
    one: the tagger opens each item of a "Kính gửi" list with its own ``B-`` ("…phố; - [B]Chi
    cục…"), often each line of a title too, and the value is the whole, not its most confident
    piece. Which fields: chosen per model by `sohoa export` (``training.choose.choose_decoding``)."""
    out: list[Span] = []
    for sp in spans:
        prev = out[-1] if out else None
        if (prev is not None and sp.name == prev.name and sp.name in names
                and 0 <= sp.words[0] - prev.words[-1] - 1 <= gap):
            between = list(range(prev.words[-1] + 1, sp.words[0]))
            n0, n1 = len(prev.words), len(sp.words)
            out[-1] = Span(sp.name, prev.words + between + sp.words,
                           (prev.confidence * n0 + sp.confidence * n1) / (n0 + n1))
        else:
            out.append(sp)
    return out


def snap_to_lines(spans: list[Span], lines: list, tagged: list[str | None], names=()) -> list[Span]:
    """Spans of a field in ``names`` take in the rest of every line they touch (``lines[w]``: the
    line of word ``w``), except words tagged with another field (``tagged[w]``: the argmax field
    or None): a title or a subject fills its lines, and the tagger most often misses a line's first
    or last word ("[TỜ] KHAI ĐĂNG KÝ HỘ KINH DOANH"). Spans of one field that then overlap become one.
    The confidence stays that of the words the tagger gave the field."""
    out: list[Span] = []
    for sp in spans:
        if sp.name in names:
            touched = {lines[w] for w in sp.words}
            lo, hi = sp.words[0], sp.words[-1]
            while lo > 0 and lines[lo - 1] in touched and tagged[lo - 1] in (None, sp.name):
                lo -= 1
            while hi + 1 < len(lines) and lines[hi + 1] in touched and tagged[hi + 1] in (None, sp.name):
                hi += 1
            sp = Span(sp.name, list(range(lo, sp.words[0])) + sp.words + list(range(sp.words[-1] + 1, hi + 1)),
                      sp.confidence)
        prev = next((p for p in reversed(out) if p.name == sp.name), None)
        if prev is not None and sp.name in names and sp.words[0] <= prev.words[-1]:
            merged = sorted(set(prev.words) | set(sp.words))
            n0, n1 = len(prev.words), len(sp.words)
            out[out.index(prev)] = Span(sp.name, merged, (prev.confidence * n0 + sp.confidence * n1) / (n0 + n1))
        else:
            out.append(sp)
    return out


_PROVINCE_UNIT = ("tinh", "tp")  # with "thanh pho" (two words), what a province follows; accents stripped


@lru_cache
def _province_keys() -> frozenset[str]:
    from sohoa.models.fields.address import provinces
    from sohoa.models.fields.normalize import strip_accents

    return frozenset(strip_accents(p) for p in provinces())


def extend_to_province(sp: Span, texts: list[str], max_words: int = 3) -> Span:
    """An address span that stops inside its province ("…, tỉnh Quảng" before "Ngãi", the last
    word of a line the tagger left out) takes in the next words of the page (at most
    ``max_words``) when they complete a province's name from the closed list; an address ends in
    one. Any other span is left as it is."""
    from sohoa.models.fields.normalize import strip_accents

    def key(words: list[str]) -> str:
        return strip_accents(" ".join(words).strip(" ,.;:"))
    names = _province_keys()
    tokens = [texts[w] for w in sp.words]
    keys = [strip_accents(t.strip(",.;:")) for t in tokens]
    unit = next((i for i in range(len(keys) - 1, -1, -1)
                 if keys[i] in _PROVINCE_UNIT or " ".join(keys[i:i + 2]) == "thanh pho"), None)
    if unit is None:
        return sp
    start = unit + (2 if " ".join(keys[unit:unit + 2]) == "thanh pho" else 1)
    partial = tokens[start:]
    if not partial or key(partial) in names or tokens[-1].endswith((",", ";", ".")):
        return sp
    nxt = sp.words[-1] + 1
    for k in range(1, max_words + 1):
        if nxt + k > len(texts):
            break
        if key(partial + texts[nxt:nxt + k]) in names:
            return Span(sp.name, sp.words + list(range(nxt, nxt + k)), sp.confidence)
    return sp


def _ends_in_province(keys: list[str]) -> bool:
    """Whether accent-free words end in a unit and a province of the closed list ("…, tinh Bac Giang")."""
    names = _province_keys()
    for i in range(len(keys) - 1, 0, -1):
        if " ".join(keys[i:]) in names:
            return keys[i - 1] in _PROVINCE_UNIT or " ".join(keys[max(0, i - 2):i]) == "thanh pho"
    return False


def complete_address(sp: Span, texts: list[str], lines: list, tagged: list[str | None], max_words: int = 8) -> Span:
    """An address span that ends with its line but not in a province takes in the start of the
    next line, up to a unit and province ("…, huyện Củ" / "Chi, thành phố Hồ Chí Minh"): the
    tagger often leaves a wrapped value's second line out, and an address ends in its province.
    Only words no other field claims (``tagged[w]``), with no label (":") among them, and only
    when a province from the closed list is reached within ``max_words``; else the span stays."""
    from sohoa.models.fields.normalize import strip_accents

    def key(t: str) -> str:
        return strip_accents(t.strip(",.;:"))
    last = sp.words[-1]
    if last + 1 >= len(texts) or lines[last + 1] == lines[last]:
        return sp
    keys = [key(texts[w]) for w in sp.words]
    if _ends_in_province(keys):
        return sp
    nxt = last + 1
    for k in range(max_words):
        w = nxt + k
        if w >= len(texts) or lines[w] != lines[nxt] or tagged[w] not in (None, sp.name) or ":" in texts[w]:
            break
        keys.append(key(texts[w]))
        if _ends_in_province(keys):
            return Span(sp.name, sp.words + list(range(nxt, w + 1)), sp.confidence)
    return sp


LABELLED_FIELDS = ("address", "holder_name")  # values that never hold a colon


def after_label(sp: Span, texts: list[str]) -> Span:
    """A span that takes in the tail of its label ("[phụ thuộc:] 33A Ỷ Lan, …", "[Address:] 33/40 …")
    starts after the label's colon, for fields whose values never hold one (``LABELLED_FIELDS``):
    what stands before a colon on a form is a label, not the value."""
    if sp.name not in LABELLED_FIELDS:
        return sp
    cut = max((k for k, w in enumerate(sp.words[:-1]) if texts[w].endswith(":")), default=None)
    return sp if cut is None else Span(sp.name, sp.words[cut + 1:], sp.confidence)


def best_spans(spans: list[tuple[int, Span]]) -> dict[str, tuple[int, Span]]:
    """One span per field: the most confident (ties: earliest page)."""
    out: dict[str, tuple[int, Span]] = {}
    for page, sp in spans:
        if sp.name not in out or sp.confidence > out[sp.name][1].confidence:
            out[sp.name] = (page, sp)
    return out


def union_box(boxes) -> tuple[int, int, int, int]:
    xs0, ys0, xs1, ys1 = zip(*boxes)
    return (int(min(xs0)), int(min(ys0)), int(max(xs1)), int(max(ys1)))
