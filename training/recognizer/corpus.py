"""Text lines to render for training: the generator's own vocabulary and templates, random
Vietnamese syllables (so that every tone/vowel combination is seen, not only frequent words),
and the numbers, dates and document codes of administrative papers.

Never built from the real benchmark pages (``../shared/bench/real``): those are for evaluation.
"""
from __future__ import annotations

import os
import random
import re
from pathlib import Path

import yaml

from sohoa.training.recognizer.charset import fold_for_training

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "data" / "resources"
HUNSPELL_DIC = Path(os.environ.get("SOHOA_HUNSPELL_DIC", "/usr/share/hunspell/vi_VN.dic"))

_SLOT = re.compile(r"\{[^{}]*\}")
_FIELD = re.compile(r"<<[^<>]*>>")


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(k) + _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def resource_strings() -> list[str]:
    """Every phrase of the generator's resources but its evaluation-only templates: the blind sets
    (``templates_fresh*.yaml``) judge models read through this recognizer, so their text stays out
    of its training lines (and a new blind set does not change the corpus of a given seed)."""
    out: list[str] = []
    for path in sorted(RESOURCES.glob("*.yaml")):
        if path.name == "fonts.yaml" or path.name.startswith("templates_fresh"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for s in _strings(data):
            for part in s.split("|"):
                part = part.strip()
                if len(part) >= 2 and not part.startswith("/") and any(c.isalpha() for c in part):
                    out.append(part)
    return sorted(set(out))


def hunspell_words(path: Path = HUNSPELL_DIC) -> list[str]:
    """Debian hunspell-vi's word list: Vietnamese syllables (and a few acronyms)."""
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()[1:]:
        w = line.split("/")[0].strip()
        if w and " " not in w:
            words.append(fold_for_training(w))
    return sorted(set(w for w in words if w))


class Corpus:
    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.templates = resource_strings()
        self.words = hunspell_words()
        # Words of the generator's own text (names, places, agencies), so they are seen often.
        self.vocab_words = sorted({w.strip(",.;:()") for s in self.templates for w in _SLOT.sub(" ", _FIELD.sub(" ", s)).split()
                                   if any(c.isalpha() for c in w)})
        self.syllables = [w for w in self.words if w.islower()] or self.vocab_words

    # --- pieces -------------------------------------------------------------------------------
    def number(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return str(self.rng.randint(1, 9999))
        if r < 0.5:
            d, m, y = self.rng.randint(1, 31), self.rng.randint(1, 12), self.rng.randint(1945, 2035)
            sep = self.rng.choice("/-.")
            return f"{d:02d}{sep}{m:02d}{sep}{y}" if self.rng.random() < 0.5 else f"{d}{sep}{m}{sep}{y}"
        if r < 0.65:
            return f"{self.rng.randint(1, 9999)}/{self.rng.choice(['QĐ', 'UBND', 'SYT', 'SGDĐT', 'NĐ', 'TT', 'CV', 'KH', 'BC', 'TB'])}-" \
                   f"{self.rng.choice(['UBND', 'CP', 'BYT', 'CTrTT', 'SYT', 'VP', 'TTg', 'HĐND', 'SGDĐT', 'STC', 'BTC', 'QLCL'])}"
        if r < 0.75:
            return f"{self.rng.randint(1, 999)}.{self.rng.randint(0, 999):03d}.{self.rng.randint(0, 999):03d}"
        if r < 0.85:
            return "0" + "".join(self.rng.choice("0123456789") for _ in range(self.rng.choice([9, 10])))
        if r < 0.93:
            return f"{self.rng.randint(1, 100)}%"
        return self.rng.choice(["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]) + "."

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(self.syllables)
        if r < 0.85:
            return self.rng.choice(self.vocab_words)
        if r < 0.95:
            return self.rng.choice(self.words)
        return self.number()

    def fill(self, template: str) -> str:
        s = _FIELD.sub(lambda m: " ".join(self.word() for _ in range(self.rng.randint(1, 4))), template)
        return _SLOT.sub(lambda m: self.rng.choice([self.number(), self.word(), self.word() + " " + self.word()]), s)

    # --- lines --------------------------------------------------------------------------------
    def line(self, max_chars: int = 64) -> str:
        r = self.rng.random()
        if r < 0.40 and self.templates:
            text = self.fill(self.rng.choice(self.templates))
        elif r < 0.85:
            n = self.rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14])
            parts = [self.word() for _ in range(n)]
            for i in range(len(parts) - 1):  # punctuation after some words
                if self.rng.random() < 0.12:
                    parts[i] += self.rng.choice([",", ",", ";", ":", ".", ")", "\""])
            if self.rng.random() < 0.08:
                parts[0] = self.rng.choice(["(", "\"", "- ", "+ ", "a) ", "1. ", "Điều 1. ", "Khoản 2 "]) + parts[0]
            if self.rng.random() < 0.3:
                parts[-1] += self.rng.choice([".", ";", ",", ":", "./."])
            text = " ".join(parts)
        else:
            pieces = []
            for _ in range(self.rng.randint(1, 6)):
                pieces.append(self.number() if self.rng.random() < 0.6 else self.word())
            text = " ".join(pieces)
        case = self.rng.random()
        if case < 0.18:
            text = text.upper()
        elif case < 0.28:
            text = " ".join(w[:1].upper() + w[1:] for w in text.split())
        elif case < 0.5:
            text = text[:1].upper() + text[1:]
        text = fold_for_training(text)
        if len(text) > max_chars:
            cut = text.rfind(" ", 0, max_chars)
            text = text[: cut if cut > max_chars // 2 else max_chars].strip()
        return text or self.rng.choice(self.syllables)

    def lines(self, n: int, max_chars: int = 64) -> list[str]:
        return [self.line(max_chars) for _ in range(n)]


def write_corpus(path: Path, n: int, seed: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(Corpus(seed).lines(n)) + "\n", encoding="utf-8")
