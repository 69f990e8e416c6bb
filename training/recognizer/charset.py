"""The recognizer's alphabet: every Vietnamese letter with every tone mark (NFC), upper and lower
case, digits and the punctuation of administrative documents.

Built from base vowels x tones rather than typed by hand, so that no letter can be forgotten.
Index 0 of the CTC output is the blank; character ``i`` of :func:`charset` is class ``i + 1``.
This module has no torch import: the serving engine reads the charset file written next to the
weights, and tests import this module to check it.
"""
from __future__ import annotations

import string
import unicodedata

# Vowel bases, with the hat/horn/breve already applied (precomposed).
BASE_VOWELS = "aăâeêioôơuưy"
# Tones: level (none), grave, acute, hook above, tilde, dot below.
TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
CONSONANTS = "bcdđghklmnpqrstvx"
FOREIGN = "fjwz"  # not Vietnamese, but in names, codes and English words (COVID, Zalo, Wifi)
# Look-alikes (en/em dashes, curly quotes, ellipsis) are folded to these by normalize_text().
PUNCTUATION = " .,;:!?-/\\()[]\"'%&+*=<>@#_|°§"


def vietnamese_letters() -> list[str]:
    """All Vietnamese letters, lower then upper case, NFC, tone-marked vowels included."""
    lower: list[str] = []
    for base in BASE_VOWELS:
        for tone in TONE_MARKS:
            lower.append(unicodedata.normalize("NFC", base + tone))
    lower += list(CONSONANTS)
    out = lower + [c.upper() for c in lower]
    assert all(len(c) == 1 for c in out), "every letter must be one precomposed code point"
    return out


def charset() -> list[str]:
    """The ordered alphabet (without the CTC blank). Stable: new symbols go at the end."""
    chars: list[str] = []
    seen: set[str] = set()
    for c in vietnamese_letters() + list(FOREIGN) + list(FOREIGN.upper()) + list(string.digits) + list(PUNCTUATION):
        if c not in seen:
            seen.add(c)
            chars.append(c)
    return chars


_FOLD = {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "\t": " ",
         "…": "...", "№": "No"}


def normalize_text(text: str, chars: set[str] | None = None) -> str:
    """NFC, folded look-alikes, and (when ``chars`` is given) characters outside it dropped."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(_FOLD.get(c, c) for c in text)
    text = " ".join(text.split())
    if chars is not None:
        text = "".join(c for c in text if c in chars)
    return text


def fold_for_training(text: str) -> str:
    """Training targets: NFC with look-alike dashes/quotes folded (they are indistinguishable in
    a 70-dpi scan), so the model never has to guess between them."""
    return normalize_text(text, set(charset()))
