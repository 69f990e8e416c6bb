"""Page orientation (0/90/180/270) from the text itself, with the ``sohoa`` engine's own models.

Tesseract's OSD took about 0.55 s of a page's 1.8 s (a process start and its own analysis at
150 dpi) and missed a fifth of the turned generated pages. The engine already holds a text
detector and a recognizer, and a recognizer reads text the right way up with far more confidence
than upside down: that is the whole test (PaddleOCR's line-orientation classifier does the same
with a model of its own).

1. Detect lines on a coarse view (``DET_DPI``). Text lines are wide boxes; on a page turned by
   90° the detector finds few, so then the page is turned by 90° and detected again. The view
   with the more wide lines holds the text horizontally.
2. Read a stretch of the longest few lines as they are and turned by 180°: the reading with the
   higher mean confidence is the right way up. An upright page needs no evidence; turning it
   needs a clear margin, because a wrong turn ruins a page while a missed one leaves it unread.
"""
from __future__ import annotations

import cv2
import numpy as np

from sohoa.models.ocr.ctc import greedy
from sohoa.models.preprocess import CV_ROTATE

DET_DPI = 60        # coarse: only the lines' shapes and positions are needed
MIN_LINES = 4       # wide lines that settle the text direction without a second detection
N_LINES = 4         # lines read per direction
SEGMENT = 10        # read at most this many line heights of each line (about 15 letters)
MIN_MARGIN = 0.1    # mean confidence by which upside down must win (seen: ~0.9 upright, <0.5 not)
# An upright reading this sure settles it without reading the lines turned (half the recognizer
# work). On the first pages of the 400 generated documents of gen400, 84 % of upright pages read at
# least 0.9 and no page turned by 180° read above 0.79 the wrong way up.
SURE_UPRIGHT = 0.9


def _wide_lines(detector, grey: np.ndarray, dpi: int) -> list:
    return [b for b in detector.detect(grey, dpi, det_dpi=DET_DPI) if b.w >= 2 * (b.y1 - b.y0)]


def _confidence(recognizer, crops: list[np.ndarray]) -> float:
    probs = recognizer.probabilities([recognizer.scaled(c) for c in crops])
    return float(np.mean([greedy(p, recognizer.chars).confidence for p in probs]))


def text_orientation(detector, recognizer, grey: np.ndarray, dpi: int) -> int:
    """Clockwise rotation (0, 90, 180 or 270) that makes the page upright; 0 when unsure."""
    view, lines, quarter = grey, _wide_lines(detector, grey, dpi), 0
    if len(lines) < MIN_LINES:
        turned = cv2.rotate(grey, CV_ROTATE[90])
        lines90 = _wide_lines(detector, turned, dpi)
        if len(lines90) > max(len(lines), 1):
            view, lines, quarter = turned, lines90, 90
    if len(lines) < 2:
        return 0  # too little text to judge (blank page, photo): keep the page as scanned
    lines = sorted(lines, key=lambda b: -b.w)[:N_LINES]
    crops = [view[b.y0:b.y1, b.x0:min(b.x1, b.x0 + SEGMENT * (b.y1 - b.y0))] for b in lines]
    upright = _confidence(recognizer, crops)
    if quarter == 0 and upright >= SURE_UPRIGHT:
        return 0
    upside_down = _confidence(recognizer, [cv2.rotate(c, cv2.ROTATE_180) for c in crops])
    if quarter == 0:
        return 180 if upside_down > upright + MIN_MARGIN else 0
    # the text runs across the page only after a quarter turn: which quarter, by the better read
    return 270 if upside_down > upright else 90
