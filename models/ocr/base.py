"""The OCR stage's small interface: a page image in, text lines with words and boxes out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass
class OcrWord:
    text: str
    bbox: tuple[int, int, int, int]
    confidence: float  # 0..1


@dataclass
class OcrLine:
    words: list[OcrWord]
    group: int = 0  # the engine's own block id: lines of one group were found together
    bbox: tuple[int, int, int, int] = field(init=False)
    text: str = field(init=False)
    confidence: float = field(init=False)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        xs0, ys0, xs1, ys1 = zip(*(w.bbox for w in self.words))
        self.bbox = (min(xs0), min(ys0), max(xs1), max(ys1))
        self.text = " ".join(w.text for w in self.words)
        # A line is as trustworthy as its letters: weight words by length.
        total = sum(len(w.text) for w in self.words) or 1
        self.confidence = sum(w.confidence * len(w.text) for w in self.words) / total


class OcrEngine(Protocol):
    name: str
    version: str

    def recognize(self, image: np.ndarray, dpi: int) -> list[OcrLine]:
        """Lines of an upright, deskewed RGB page, in the engine's reading order, boxes in
        pixels of ``image``."""
        ...

    # An engine may also offer ``orientation(grey, dpi) -> int`` (the clockwise turn that makes
    # a page upright); the pipeline then uses it instead of Tesseract's OSD.
