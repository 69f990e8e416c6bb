"""Line-level diacritic repair with Vietnamese words: a syllable-bigram Viterbi.

At 70 dpi a stacked mark (the circumflex *and* a tone: ố ầ ể) is a few pixels, and the recognizer
reads "tót nghiệp", "vè Sở", "phô thông" with confidence. Each of those syllables is valid on its
own, so :func:`~sohoa.models.ocr.syllables.repair_word` leaves them alone; only the neighbours say
that "tốt nghiệp" is a word. Vietnamese writes words as space-separated syllables, so a word list
gives syllable pairs ("tốt nghiệp", "phổ thông", "yêu cầu"), and decoding a line becomes a chain:

    score(line) = Σ evidence(syllable | frames) + w_uni · ln P(syllable) + bonus · [pair is a word]

over the candidates of each syllable: the valid syllables spelled with the same letters up to
diacritics. Evidence is the recognizer's own per-character probability, floored for a changed
diacritic (the recognizer's certainty about a 3-pixel mark is worth little). The weights were
chosen on the generator's validation lines (``training/recognizer/tune_word_lm.py``).

numpy-free and small: a line of ten syllables has at most a few hundred candidate pairs.
"""
from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sohoa.models.ocr.syllables import VOWELS, Syllables, _apply_case, repair_word, split_tone, strip_marks

COMPOUNDS = Path(__file__).parent / "lexicon" / "compounds_vi.txt.gz"


# The commonest Vietnamese family names (about 93% of the population between them; Wikipedia,
# "Vietnamese name"). A family name opens a personal name, and at low resolution its stacked mark
# is misread into another valid syllable ("Nguyên" for Nguyễn, "Lế" for Lê) that no word list
# catches, since names are not words of the list.
SURNAMES = frozenset("nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý".split())
HONORIFICS = frozenset("ông bà anh chị cô".split())  # "Ông Nguyễn Văn An": the name starts after it


@dataclass(frozen=True)
class WordLMWeights:
    # Chosen by tune_word_lm on 800 generator validation lines: the strongest setting costing them
    # at most 0.0001 CER (0.04244 against 0.04239 for syllable-only decoding). Those lines rarely
    # show the stacked-mark misreadings, so they can only guard against harm, not find the gain.
    unigram: float = 0.5      # weight of ln P(syllable) (wordfreq Zipf), as in rescore_word
    pair_bonus: float = 3.0   # log-score for two syllables that make a word of the list
    mark_floor: float = 0.01  # least probability of a stacked-mark misreading (_stacked_confusion)
    prune: float = 12.0       # candidates scoring this far below the best are not considered
    # log-score of a family name where a name opens: over -ln(mark_floor) = 4.6 plus what a common
    # word's unigram may lead by ("nguyên" 0.2 over "nguyễn"), so a stacked-mark misreading of a
    # family name is read as the name
    surname_bonus: float = 5.5


@lru_cache(maxsize=1)
def compound_pairs(path: Path = COMPOUNDS) -> frozenset[tuple[str, str]]:
    if not path.exists():
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return frozenset(tuple(line.split()) for line in f if line.strip() and not line.startswith("#"))


_HAT = {"a": "a", "ă": "a", "â": "a", "e": "e", "ê": "e", "o": "o", "ô": "o"}  # ơ, ư: a hook, not a hat


@lru_cache(maxsize=65536)  # pure, over pairs of letters: the candidates' inner loop calls it most
def _stacked_confusion(read: str, cand: str) -> bool:
    """The misreadings of a mark stacked over a hat that low resolution causes: the hat lost or
    added under the same tone (ó/ố, è/ề), or the tone over a hat misread (ầ/ẩ/ấ, ô/ổ). Tone changes
    on plain letters (số/sở, Tú/Từ) are not in it: those marks are not stacked and read reliably."""
    (rb, rt), (cb, ct) = split_tone(read), split_tone(cand)
    if rb == cb:
        return rb in "âêôă" and rt != ct
    return _HAT.get(rb, rb) == _HAT.get(cb, cb) and rb in _HAT and cb in _HAT and rt == ct


@dataclass
class _Slot:
    """One syllable of the line: the token around it, and its scored candidates."""
    token: str
    a: int            # the syllable is token[a:b]; the rest is punctuation
    b: int
    cands: list[tuple[str, float]]  # (lower-case syllable, evidence + unigram)
    joins_next: bool  # no punctuation between it and the next syllable


def _candidates(word: str, probs: list[dict[str, float]], syl: Syllables, w: WordLMWeights,
                family: bool = False) -> list[tuple[str, float]]:
    """Scored spellings of ``word``; ``family``: it opens a personal name (family names preferred)."""
    low = word.lower()
    if (len(word) < 2 or not word.isalpha() or len(probs) != len(word)
            or not any(c in VOWELS for c in strip_marks(low))
            or (word.isupper() and word == strip_marks(word))):  # acronyms: UBND, TP
        return []
    cands = syl.spellings(low)
    if not cands:
        return []
    upper = [ch.isupper() for ch in word]
    ln10 = math.log(10)
    scored = []
    for c in cands:
        lp = 0.0
        for ch, read, alt, up in zip(c, low, probs, upper):
            p = alt.get(ch.upper() if up else ch, 0.0)
            if ch != read and _stacked_confusion(read, ch):
                p = max(p, w.mark_floor)
            lp += math.log(max(p, 1e-4))
        bonus = w.surname_bonus if family and c in SURNAMES else 0.0
        scored.append((c, lp + w.unigram * ln10 * syl.zipf.get(c, 1.0) + bonus))
    best = max(s for _, s in scored)
    return [(c, s) for c, s in scored if s >= best - w.prune]


def _is_title(core: str) -> bool:
    return len(core) > 1 and core[:1].isupper() and core[1:].islower()


def repair_line(text: str, char_probs: list[dict[str, float]], syl: Syllables,
                weights: WordLMWeights = WordLMWeights(), pairs: frozenset | None = None) -> str:
    """The line with each syllable's diacritics chosen by the Viterbi path over the chain.
    Tokens that are not syllables (numbers, codes, acronyms) pass through, repaired by
    :func:`repair_word` where the syllable model rejects them, and break the chain."""
    if pairs is None:
        pairs = compound_pairs()
    tokens = text.split(" ")
    slots: list[_Slot | None] = []
    i = 0
    for k, token in enumerate(tokens):
        n = len(token)
        probs = char_probs[i:i + n]
        i += n + 1
        a, b = 0, n
        while a < n and not token[a].isalpha():
            a += 1
        while b > a and not token[b - 1].isalpha():
            b -= 1
        core = token[a:b]
        # two to four capitalised syllables in a row are a personal name: the first is a family name
        run = 0
        while k + run < len(tokens) and run < 5 and _is_title(tokens[k + run].strip(",.;:()")):
            run += 1
        before = tokens[k - 1].strip(",.;:()") if k else ""
        family = _is_title(core) and 2 <= run <= 4 and core.lower() not in HONORIFICS \
            and (not _is_title(before) or before.lower() in HONORIFICS)
        # any other capitalised syllable inside a line is a name (Cẩm, Tú, Ánh): the word list knows
        # common words, and would "correct" a name into one
        name = bool(slots) and _is_title(core) and not family
        cands = _candidates(core, probs[a:b], syl, weights, family) if core and not name else []
        if not cands:
            slots.append(None)
            continue
        slots.append(_Slot(token, a, b, cands, joins_next=(b == n)))
    out = list(tokens)
    # Viterbi over each run of linked slots
    k = 0
    while k < len(slots):
        if slots[k] is None:
            t = tokens[k]
            core_a = next((j for j, c in enumerate(t) if c.isalpha()), len(t))
            core_b = len(t) - next((j for j, c in enumerate(reversed(t)) if c.isalpha()), len(t))
            if core_a < core_b:
                out[k] = t[:core_a] + repair_word(t[core_a:core_b], syl) + t[core_b:]
            k += 1
            continue
        run = [k]
        while run[-1] + 1 < len(slots) and slots[run[-1] + 1] is not None and slots[run[-1]].joins_next \
                and slots[run[-1] + 1].a == 0:
            run.append(run[-1] + 1)
        best = _viterbi([slots[j] for j in run], pairs, weights.pair_bonus)
        for j, choice in zip(run, best):
            s = slots[j]
            core = s.token[s.a:s.b]
            if choice != core.lower():
                out[j] = s.token[:s.a] + _apply_case(core, choice) + s.token[s.b:]
        k = run[-1] + 1
    return " ".join(out)


def _viterbi(run: list[_Slot], pairs: frozenset, bonus: float) -> list[str]:
    prev = {c: (s, [c]) for c, s in run[0].cands}
    for slot in run[1:]:
        cur = {}
        for c, s in slot.cands:
            best_score, best_path = -math.inf, None
            for p, (ps, path) in prev.items():
                v = ps + (bonus if (p, c) in pairs else 0.0)
                if v > best_score:
                    best_score, best_path = v, path
            cur[c] = (best_score + s, best_path + [c])
        prev = cur
    return max(prev.values(), key=lambda t: t[0])[1]

