"""CTC decoding: :func:`greedy` and :func:`beam_search` turn the recognizer's per-frame class
probabilities into text, with a confidence per character (and so per word and line) and the frame
of each character (to place word boxes on the page); :func:`char_alternatives` gives each decoded
character's runners-up, which :mod:`sohoa.models.ocr.syllables` uses to repair words.

numpy only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Decoded:
    text: str
    char_conf: list[float]       # per character of ``text``
    char_frame: list[float]      # centre frame of each character
    confidence: float = field(init=False)

    def __post_init__(self):
        self.confidence = float(np.exp(np.mean(np.log(np.maximum(self.char_conf, 1e-6))))) if self.char_conf else 0.0


def greedy(probs: np.ndarray, chars: list[str], length: int | None = None) -> Decoded:
    """Best path: argmax per frame, repeats collapsed, blanks (class 0) dropped. Vectorised over
    runs of equal frames (a page has some 5000 frames; a Python loop over them cost ~30 ms)."""
    p = probs[:length] if length else probs
    if len(p) == 0:
        return Decoded("", [], [])
    best = p.argmax(-1)
    bp = p[np.arange(len(best)), best]
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])  # first frame of each run
    ends = np.r_[starts[1:], len(best)]
    conf = np.maximum.reduceat(bp, starts)  # runs tile the frames: each reduces over its own
    keep = best[starts] != 0
    starts, ends, conf = starts[keep], ends[keep], conf[keep]
    frames = (starts + ends - 1) / 2.0
    return Decoded("".join(chars[k - 1] for k in best[starts]), [float(c) for c in conf],
                   [float(f) for f in frames])


def beam_search(probs: np.ndarray, chars: list[str], width: int = 8, length: int | None = None,
                prune: float = 1e-3, word_bonus=None) -> Decoded:
    """CTC prefix beam search. ``word_bonus(word) -> log-score`` is added when a word ends (at a
    space or the line's end), e.g. from :class:`Syllables` to prefer valid words."""
    p = probs[:length] if length else probs
    T = len(p)
    space = chars.index(" ") + 1 if " " in chars else -1
    # beam: prefix (tuple of classes) -> (p_blank, p_nonblank, frames of last char)
    beams: dict[tuple, list] = {(): [1.0, 0.0]}
    frames: dict[tuple, list] = {(): []}
    bonus: dict[tuple, float] = {(): 0.0}

    def wb(prefix: tuple) -> float:
        if word_bonus is None:
            return 0.0
        word = []
        for k in reversed(prefix):
            if k == space:
                break
            word.append(chars[k - 1])
        return word_bonus("".join(reversed(word))) if word else 0.0

    for t in range(T):
        row = p[t]
        cand = np.nonzero(row >= prune)[0]
        nxt: dict[tuple, list] = {}
        nfr: dict[tuple, list] = {}
        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            for k in cand:
                pk = float(row[k])
                if k == 0:
                    e = nxt.setdefault(prefix, [0.0, 0.0])
                    e[0] += total * pk
                    nfr.setdefault(prefix, frames[prefix])
                    continue
                last = prefix[-1] if prefix else None
                np_ = prefix + (int(k),)
                if k == last:
                    # repeat without a blank between: stays the same prefix
                    e = nxt.setdefault(prefix, [0.0, 0.0])
                    e[1] += pnb * pk
                    nfr.setdefault(prefix, frames[prefix])
                    e2 = nxt.setdefault(np_, [0.0, 0.0])
                    e2[1] += pb * pk
                else:
                    e2 = nxt.setdefault(np_, [0.0, 0.0])
                    e2[1] += total * pk
                if np_ not in nfr:
                    nfr[np_] = frames[prefix] + [t]
                    if word_bonus is not None and k == space:
                        bonus[np_] = bonus.get(prefix, 0.0) + wb(prefix)
                    else:
                        bonus.setdefault(np_, bonus.get(prefix, 0.0))

        def score(item):
            pr, (pb, pnb) = item
            return math.log(max(pb + pnb, 1e-300)) + bonus.get(pr, 0.0)
        beams = dict(sorted(nxt.items(), key=score, reverse=True)[:width])
        frames = {k: nfr[k] for k in beams}
    if word_bonus is not None:
        final = max(beams.items(), key=lambda it: math.log(max(sum(it[1]), 1e-300)) + bonus.get(it[0], 0.0) + wb(it[0]))
    else:
        final = max(beams.items(), key=lambda it: sum(it[1]))
    prefix = final[0]
    fr = frames[prefix]
    text = "".join(chars[k - 1] for k in prefix)
    conf = [float(p[f, k]) for f, k in zip(fr, prefix)]
    # refine each character's confidence with greedy's (max over its frames) where they agree
    g = greedy(p, chars)
    if g.text == text:
        return g
    return Decoded(text, conf, [float(f) for f in fr])


def char_alternatives(probs: np.ndarray, frames: list[float], chars: list[str], k: int = 6) -> list[dict[str, float]]:
    """For each decoded character, the top-k classes of its frame with their probabilities."""
    if not frames:
        return []
    rows = probs[np.rint(np.asarray(frames)).astype(int)]
    k = min(k, rows.shape[1])
    top = np.argpartition(-rows, k - 1, axis=1)[:, :k]  # the k best, unordered (a full sort cost 4x)
    vals = np.take_along_axis(rows, top, axis=1)
    order = np.argsort(-vals, axis=1)
    top, vals = np.take_along_axis(top, order, axis=1), np.take_along_axis(vals, order, axis=1)
    return [{chars[j - 1]: v for j, v in zip(t, vs) if j > 0} for t, vs in zip(top.tolist(), vals.tolist())]
