"""Text-line detection with the PP-OCRv6 DB detector ONNX shipped in the ``rapidocr`` wheel
(language-agnostic: it finds text, whatever the script), with our own post-processing.

DB outputs a text probability map. We binarize it, take connected regions, score each by its
mean probability, grow ("unclip") the shrunk kernels back to the text's extent, split regions
that hold two lines (tight leading), merge fragments of one line, and order the lines top to
bottom, left to right. Boxes are axis-aligned: the pipeline hands us deskewed pages.

The model loads through ``sohoa.models.onnx_session``, which sets its quarter million subnormal
weights to zero first: they made the detector about three times slower on x86.

ONNX Runtime only; no torch.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from sohoa.models.onnx_session import default_threads, ort_session


def rapidocr_model(name: str) -> Path:
    """A model file of the installed ``rapidocr`` wheel, found without importing the package."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.origin:
        raise FileNotFoundError("the rapidocr wheel is not installed (pip install rapidocr)")
    path = Path(spec.origin).parent / "models" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the rapidocr wheel")
    return path


@dataclass
class DetBox:
    x0: int
    y0: int
    x1: int
    y1: int
    score: float

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0


# --- post-processing (pure numpy/OpenCV, unit-tested on synthetic maps) -------------------------

def boxes_from_prob(prob: np.ndarray, thresh: float = 0.3, box_thresh: float = 0.5,
                    unclip_ratio: float = 1.6, min_size: int = 3) -> list[DetBox]:
    """Regions of a DB probability map as unclipped axis-aligned boxes, in map pixels."""
    mask = (prob > thresh).astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    H, W = prob.shape
    out: list[DetBox] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if min(w, h) < min_size:
            continue
        region = labels[y:y + h, x:x + w] == i
        score = float(prob[y:y + h, x:x + w][region].mean())
        if score < box_thresh:
            continue
        # DB's kernels are the text shrunk by D = A * (1 - r^2) / L; unclip by D' = A * ratio / L
        d = area * unclip_ratio / max(2 * (w + h), 1)
        out.append(DetBox(max(0, int(round(x - d))), max(0, int(round(y - d))),
                          min(W, int(round(x + w + d))), min(H, int(round(y + h + d))), score))
    return out


def split_tall(boxes: list[DetBox], prob: np.ndarray, thresh: float = 0.3) -> list[DetBox]:
    """Split boxes that hold two or more text lines (a region grown across tight leading)."""
    if not boxes:
        return boxes
    med = float(np.median([b.h for b in boxes]))
    out = []
    for b in boxes:
        if b.h < 1.7 * med or b.w < 2 * med:
            out.append(b)
            continue
        rows = (prob[b.y0:b.y1, b.x0:b.x1] > thresh).mean(axis=1)
        # valleys: rows where almost no text is on
        cuts, inside, start = [], False, 0
        for y, v in enumerate(rows):
            if v < 0.05 and not inside:
                inside, start = True, y
            elif v >= 0.05 and inside:
                inside = False
                cuts.append((start + y) // 2)
        cuts = [c for c in cuts if 0.25 * med < c < b.h - 0.25 * med]
        if not cuts:
            out.append(b)
            continue
        edges = [0] + cuts + [b.h]
        for a, z in zip(edges, edges[1:]):
            if z - a >= 0.35 * med:
                out.append(DetBox(b.x0, b.y0 + a, b.x1, b.y0 + z, b.score))
    return out


def merge_fragments(boxes: list[DetBox], gap: float = 0.6) -> list[DetBox]:
    """Join pieces of one text line (same row, overlapping vertically, horizontal gap below
    ``gap`` x line height). Wider gaps are left apart: they separate columns (the header's agency
    and motto), which the layout stage reads as different blocks."""
    boxes = sorted(boxes, key=lambda b: (b.x0, b.y0))
    merged: list[DetBox] = []
    for b in boxes:
        for m in merged:
            ov = min(m.y1, b.y1) - max(m.y0, b.y0)
            hh = min(m.h, b.h)
            if hh > 0 and ov > 0.6 * hh and max(m.h, b.h) < 1.6 * hh and -hh < b.x0 - m.x1 < gap * max(m.h, b.h):
                m.x0, m.y0 = min(m.x0, b.x0), min(m.y0, b.y0)
                m.x1, m.y1 = max(m.x1, b.x1), max(m.y1, b.y1)
                m.score = max(m.score, b.score)
                break
        else:
            merged.append(DetBox(b.x0, b.y0, b.x1, b.y1, b.score))
    return merged


def reading_order(boxes: list[DetBox]) -> list[DetBox]:
    """Rows top to bottom (a box joins the row whose centre line it crosses), left to right."""
    rows: list[list[DetBox]] = []
    for b in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        cy = (b.y0 + b.y1) / 2
        for row in rows:
            r = row[-1]
            if r.y0 < cy < r.y1 and b.y0 < (r.y0 + r.y1) / 2 < b.y1:
                row.append(b)
                break
        else:
            rows.append([b])
    return [b for row in rows for b in sorted(row, key=lambda b: b.x0)]


def content_box(grey: np.ndarray, pad_frac: float = 0.02) -> tuple[int, int, int, int]:
    """The part of the page that holds ink: (x0, y0, x1, y1) in page pixels, padded.

    The detector's cost grows with the pixels it sees, and a page's margins and the empty lower
    half of a last page hold none of its text: cropping them away costs a few milliseconds and
    saves a third of detection on typical pages. Ink is darker than the paper by a margin relative
    to the paper's own level (dark scans too); rows and columns need a few ink pixels, so dust
    does not count. A photo's dark background keeps the whole frame: nothing is lost there."""
    h, w = grey.shape
    s = 4 if min(h, w) >= 400 else 1
    # The darkest pixel of each s x s cell: thin strokes (a page number) survive the shrinking.
    small = cv2.erode(grey, np.ones((s, s), np.uint8))[::s, ::s] if s > 1 else grey
    paper = float(np.percentile(small, 75))
    ink = small < min(paper - 40.0, 0.8 * paper)
    rows = ink.sum(axis=1) >= max(2, 0.002 * ink.shape[1])
    cols = ink.sum(axis=0) >= max(2, 0.002 * ink.shape[0])
    if not rows.any() or not cols.any():
        return 0, 0, w, h
    y0, y1 = int(np.argmax(rows)) * s, (len(rows) - int(np.argmax(rows[::-1]))) * s
    x0, x1 = int(np.argmax(cols)) * s, (len(cols) - int(np.argmax(cols[::-1]))) * s
    pad = int(round(pad_frac * max(h, w)))
    return max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)


class TextDetector:
    """PP-OCRv6 det (small) on a grey or RGB page; returns line boxes in page pixels."""

    def __init__(self, model_path: Path | None = None, threads: int | None = None, det_dpi: int = 80,
                 max_side: int = 1600, thresh: float = 0.3, box_thresh: float = 0.5, unclip_ratio: float = 1.4,
                 crop: bool = True):
        """``det_dpi`` and ``unclip_ratio`` go together (``Settings.det_dpi``): the lower the
        resolution, the fatter the DB kernels, the smaller the unclip that gives the same boxes."""
        self.session = ort_session(model_path or rapidocr_model("PP-OCRv6_det_small.onnx"), threads or default_threads())
        self.input_name = self.session.get_inputs()[0].name
        self.det_dpi, self.max_side = det_dpi, max_side
        self.thresh, self.box_thresh, self.unclip_ratio = thresh, box_thresh, unclip_ratio
        self.crop = crop

    def probability(self, page: np.ndarray, dpi: int, det_dpi: int | None = None
                    ) -> tuple[np.ndarray, float, tuple[int, int]]:
        """The DB probability map (at ``det_dpi``, default the detector's) of the page's inked part,
        the page-to-map scales (x, y: the map's sides are multiples of 32) and the map's origin in
        page pixels."""
        grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
        h, w = grey.shape
        scale = min(1.0, (det_dpi or self.det_dpi) / max(dpi, 1), self.max_side / max(h, w))
        x0, y0, x1, y1 = content_box(grey) if self.crop else (0, 0, w, h)
        grey = grey[y0:y1, x0:x1]
        h, w = grey.shape
        nh, nw = max(32, int(round(h * scale / 32)) * 32), max(32, int(round(w * scale / 32)) * 32)
        small = cv2.resize(grey, (nw, nh), interpolation=cv2.INTER_AREA)
        x = (small.astype(np.float32) / 127.5 - 1.0)[None, None]
        x = np.repeat(x, 3, axis=1)
        prob = self.session.run(None, {self.input_name: x})[0][0, 0]
        return prob, (nw / w, nh / h), (x0, y0)

    def detect(self, page: np.ndarray, dpi: int, det_dpi: int | None = None) -> list[DetBox]:
        prob, (sx, sy), (ox, oy) = self.probability(page, dpi, det_dpi)
        boxes = boxes_from_prob(prob, self.thresh, self.box_thresh, self.unclip_ratio)
        boxes = split_tall(boxes, prob, self.thresh)
        boxes = merge_fragments(boxes)
        H, W = page.shape[:2]
        out = []
        for b in reading_order(boxes):
            x0, y0 = max(0, int(b.x0 / sx) + ox), max(0, int(b.y0 / sy) + oy)
            x1, y1 = min(W, int(np.ceil(b.x1 / sx)) + ox), min(H, int(np.ceil(b.y1 / sy)) + oy)
            if x1 - x0 >= 4 and y1 - y0 >= 4:
                out.append(DetBox(x0, y0, x1, y1, b.score))
        return out
