"""The Vietnamese syllable, for decoding that knows Vietnamese.

:class:`Syllables` is a model of the Vietnamese syllable: onset + rhyme + one tone, with the rule
that stop finals (-p, -t, -c, -ch) take only the acute or the dot-below tone. A word the model
cannot parse is repaired by choosing, among valid syllables with the same letters up to
diacritics, the one the recognizer's own frame probabilities (:func:`sohoa.models.ocr.ctc.char_alternatives`)
like best.
"""
from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from pathlib import Path

TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # grave acute hook tilde dot
_STOP_TONES = {"\u0301", "\u0323"}  # the only tones a stop final (-p -t -c -ch) allows
ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu", "b", "c", "d", "đ", "g", "h",
          "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
# The rhymes (toneless) of Vietnamese syllables.
RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay e ec em en eng eo ep et i ia ich im in inh ip it iu iêc iêm iên
iêng iêp iêt iêu o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong ooc
oong op ot oăc oăm oăn oăng oăt u ua uc ui um un ung up ut uy uya uych uynh uyt uyu uyên uyêt uân uâng uât
uây uê uêch uênh uôc uôi uôm uôn uông uôt uơ y ynh yêm yên yêng yêt yêu âc âm ân âng âp ât âu ây ê êc êch
êm ên êng ênh êp êt êu ô ôc ôi ôm ôn ông ôp ôt ăc ăm ăn ăng ăp ăt ơ ơi ơm ơn ơp ơt ư ưa ưc ưi ưm ưn ưng ưt
ưu ươc ươi ươm ươn ương ươp ươt ươu
""".split())
VOWELS = set("aăâeêioôơuưy")
LEXICON_DIR = Path(__file__).parent / "lexicon"
HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")


def split_tone(syllable: str) -> tuple[str, list[str]]:
    """(toneless NFC syllable, tone marks found)."""
    d = unicodedata.normalize("NFD", syllable)
    tones = [c for c in d if c in TONE_MARKS]
    return unicodedata.normalize("NFC", "".join(c for c in d if c not in TONE_MARKS)), tones


def strip_marks(text: str) -> str:
    """Letters without any diacritic (đ -> d): the skeleton a scan keeps when marks are lost."""
    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in d if not unicodedata.combining(c))


def parse(syllable: str) -> tuple[str, str, str] | None:
    """(onset, rhyme, tone) of a lower-case syllable, or None when it cannot be Vietnamese."""
    base, tones = split_tone(syllable)
    if len(tones) > 1 or not base:
        return None
    tone = tones[0] if tones else ""
    for o in ONSETS:
        if base.startswith(o):
            r = base[len(o):]
            if o == "gi" and (r == "" or ("i" + r in RHYMES and r not in RHYMES)):
                r = "i" + r
            if o == "qu" and r and r[0] not in "u":
                r = "u" + r if ("u" + r) in RHYMES else r
            if r in RHYMES:
                if r[-1] in "ptc" or r.endswith("ch"):
                    if tone not in _STOP_TONES:
                        return None
                # spelling: k/gh/ngh only before front vowels, c/g/ng not before them
                front = r[0] in "ieêy"
                if o in ("k", "gh", "ngh") and not front:
                    return None
                if o in ("c", "ng") and front and o != "":
                    return None
                return o, r, tone
            return None
    return None


def is_syllable(word: str) -> bool:
    return parse(word.lower()) is not None


class Syllables:
    """Valid syllables (rule-built) and a word list (shipped lexicon + hunspell-vi if installed)."""

    def __init__(self, extra_words: list[str] | None = None):
        self.words: set[str] = set()
        self.freq: dict[str, int] = {}
        freq_file = LEXICON_DIR / "vocab_freq.tsv"
        if freq_file.exists():
            for line in freq_file.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    w, n = line.split("\t")
                    self.freq[w] = int(n)
        self.words.update(self.freq)
        # Zipf frequencies of syllables in general Vietnamese text (wordfreq), for rescoring
        self.zipf: dict[str, float] = {}
        zf = LEXICON_DIR / "wordfreq_vi.tsv"
        if zf.exists():
            for line in zf.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    w, z = line.split("\t")
                    self.zipf[w] = float(z)
        self.words.update(self.zipf)
        if HUNSPELL_DIC.exists():
            for line in HUNSPELL_DIC.read_text(encoding="utf-8", errors="ignore").splitlines()[1:]:
                w = unicodedata.normalize("NFC", line.split("/")[0].strip().lower())
                if w:
                    self.words.add(w)
        self.words.update(w.lower() for w in extra_words or [])
        self._by_skeleton: dict[str, list[str]] | None = None
        self._spellings: dict[str, list[str]] = {}
        # the spelling of a word in the list, by (toneless letters, tone): "bịên" -> "biện"
        self.canonical: dict[tuple[str, str], str] = {}
        for w in self.words:
            base, tones = split_tone(w)
            if len(tones) == 1:
                self.canonical.setdefault((base, tones[0]), w)

    def valid(self, word: str) -> bool:
        w = word.lower()
        return w in self.words or parse(w) is not None

    def by_skeleton(self) -> dict[str, list[str]]:
        if self._by_skeleton is None:
            self._by_skeleton = {}
            for s in all_syllables():
                self._by_skeleton.setdefault(strip_marks(s), []).append(s)
        return self._by_skeleton

    def candidates(self, word: str) -> list[str]:
        """Valid syllables with the same letters as ``word`` up to diacritics (lower case)."""
        return self.by_skeleton().get(strip_marks(word.lower()), [])

    def spellings(self, low: str) -> list[str]:
        """The valid syllables a lower-case ``low`` may stand for, letter for letter (đ kept as
        read), itself included when valid. Memoised: a page repeats its words, and this lookup
        was half of the line repair's time; the memo is bounded for a long-running service."""
        memo = self._spellings
        if low not in memo:
            if len(memo) >= 200_000:
                memo.clear()
            cands = [c for c in self.candidates(low) if len(c) == len(low) and _same_d(c, low)]
            if self.valid(low) and low not in cands:
                cands.append(low)
            memo[low] = cands
        return memo[low]


@lru_cache(maxsize=1)
def all_syllables() -> tuple[str, ...]:
    """Every syllable the rules allow (onset x rhyme x tone), NFC, lower case."""
    out = []
    for o in ONSETS:
        for r in RHYMES:
            for tone in ("",) + TONE_MARKS:
                word = o + r if not (o == "qu" and r.startswith("u")) else o + r[1:]
                if o == "gi" and r.startswith("i") and len(r) > 1:
                    word = "gi" + r[1:]
                s = _place_tone(word, tone)
                if s and parse(s) is not None:
                    out.append(s)
    return tuple(sorted(set(out)))


def _place_tone(base: str, tone: str) -> str | None:
    """Put the tone on the syllable's main vowel (both the old and new placements are accepted
    when reading; this one is only used to enumerate)."""
    if not tone:
        return base
    idx = [i for i, c in enumerate(base) if c in VOWELS]
    if not idx:
        return None
    # skip the glide u of qu / i of gi
    if base.startswith("qu") and len(idx) > 1 and idx[0] == 1:
        idx = idx[1:]
    if base.startswith("gi") and len(idx) > 1 and idx[0] == 1:
        idx = idx[1:]
    marked = [i for i in idx if base[i] in "ăâêôơư"]
    if marked:
        i = marked[-1] if base[marked[-1]] in "ơ" and len(marked) > 1 else marked[0]
        if len(marked) > 1:
            i = marked[-1]
    elif len(idx) == 1:
        i = idx[0]
    else:
        ends_consonant = base[-1] not in VOWELS
        i = idx[-1] if ends_consonant or len(idx) >= 3 else idx[0]
        if len(idx) >= 3:
            i = idx[1]
    return unicodedata.normalize("NFC", base[:i + 1] + tone + base[i + 1:])


def _apply_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


LM_WEIGHT = 0.5       # shallow fusion: weight of the unigram prior against the frame evidence
UNLISTED_ZIPF = 1.0   # a valid syllable absent from the frequency list: very rare


def rescore_word(word: str, syl: Syllables, char_probs: list[dict[str, float]],
                 weight: float = LM_WEIGHT) -> str:
    """Among the valid syllables spelled with the same letters up to diacritics, the one that
    maximises  sum(log p(char | its frame)) + weight * log P(syllable)  (unigram prior from
    Zipf frequencies). Reads "chông" as "chống" when the frame gave the acute some weight, and
    leaves a clearly printed rare word alone."""
    if len(word) < 2 or not word.isalpha() or len(char_probs) != len(word):
        return word
    low = word.lower()
    if not any(c in VOWELS for c in strip_marks(low)):
        return word
    if word.isupper() and word == strip_marks(word):
        return word
    cands = syl.spellings(low)
    if len(cands) < 2:
        return repair_word(word, syl, char_probs)
    ln10 = math.log(10)
    upper = [ch.isupper() for ch in word]

    def score(c: str) -> float:
        lp = sum(math.log(max(_prob(alt, ch, up), 1e-4)) for ch, alt, up in zip(c, char_probs, upper))
        return lp + weight * ln10 * syl.zipf.get(c, UNLISTED_ZIPF)

    best = max(cands, key=score)
    return word if best == low else _apply_case(word, best)


def _same_d(a: str, b: str) -> bool:
    """đ and d are different letters (the bar is not lost like a tone mark)."""
    return all((x == "đ") == (y == "đ") for x, y in zip(a, b))


def _prob(alt: dict[str, float], ch: str, upper: bool) -> float:
    """The frame's probability of ``ch`` in the case the word was read in."""
    return alt.get(ch.upper() if upper else ch, 0.0)


def repair_word(word: str, syl: Syllables, char_probs: list[dict[str, float]] | None = None) -> str:
    """A word the syllable model rejects, replaced by the valid syllable of the same skeleton
    that best fits the recognizer's evidence (its per-character alternatives' probabilities), or
    failing those, by the fewest changed characters. Valid words, numbers, codes and acronyms
    (no vowel, or several capitals without marks) are returned unchanged."""
    if not word or not word.isalpha():
        return word
    low = word.lower()
    if low not in syl.words:
        base, tones = split_tone(low)
        if len(tones) == 1 and (base, tones[0]) in syl.canonical:  # a misplaced tone mark
            return _apply_case(word, syl.canonical[(base, tones[0])])
    if syl.valid(word):
        return word
    if not any(c in VOWELS for c in strip_marks(low)):
        return word  # an acronym or a code (UBND, TP)
    if word.isupper() and word == strip_marks(word) and len(word) > 1:
        return word  # unmarked capitals: an acronym, not a syllable with lost marks
    cands = [c for c in syl.candidates(low) if len(c) == len(low) and _same_d(c, low)]
    if not cands:
        return word
    upper = [ch.isupper() for ch in word]

    def score(c: str) -> tuple[float, int, float]:
        # a changed tone costs 1, a changed letter shape (e -> ê, u -> ư) 2
        changed = sum(0 if a == b else 1 if split_tone(a)[0] == split_tone(b)[0] else 2 for a, b in zip(c, low))
        known = int(c in syl.words)
        freq = math.log1p(syl.freq.get(c, 0))
        if char_probs is not None and len(char_probs) == len(c):
            lp = 0.0
            for ch, alt, up in zip(c, char_probs, upper):
                lp += math.log(max(_prob(alt, ch, up), 1e-4))
            return (lp + 2.0 * known + 0.3 * freq, known, -changed)
        return (-float(changed) + 0.5 * known, freq, 0)

    best = max(cands, key=score)
    return _apply_case(word, best)


def repair_text(text: str, syl: Syllables, char_probs: list[dict[str, float]] | None = None,
                lm_weight: float = 0.0) -> str:
    """Repair each word of a line (punctuation around words is kept); with the recognizer's
    per-character alternatives and ``lm_weight`` > 0, also rescore valid words (:func:`rescore_word`)."""
    out, i = [], 0
    for token in text.split(" "):
        n = len(token)
        probs = char_probs[i:i + n] if char_probs is not None else None
        i += n + 1
        # strip punctuation around the word
        a = 0
        while a < n and not token[a].isalpha():
            a += 1
        b = n
        while b > a and not token[b - 1].isalpha():
            b -= 1
        core = token[a:b]
        if core:
            if lm_weight > 0 and probs is not None:
                fixed = rescore_word(core, syl, probs[a:b], lm_weight)
            else:
                fixed = repair_word(core, syl, probs[a:b] if probs is not None else None)
            token = token[:a] + fixed + token[b:]
        out.append(token)
    return " ".join(out)
