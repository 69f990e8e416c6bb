"""Ruled regions found from the image: bordered tables and photo boxes.

Both are drawn with lines that text is not: long horizontal and vertical strokes. A table is a
wide region crossed by several rulings both ways; a photo box (3×4 or 4×6 cm on certificates and
practice licences) is a small closed frame that holds no text lines.
"""
from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def _rulings(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                int(dpi / 6) | 1, 15)
    long_h = max(10, int(dpi * 0.5))   # 1.3 cm: longer than any word's strokes
    long_v = max(8, int(dpi * 0.3))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_v)))
    return horizontal, vertical


def _count_lines(mask: np.ndarray, axis: int) -> int:
    """Distinct rulings in a region: runs of rows (axis=1) or columns (axis=0) holding a stroke."""
    profile = (mask.sum(axis=axis) > 0).astype(np.int8)
    return int(np.count_nonzero(np.diff(np.concatenate([[0], profile])) == 1))


def find_regions(gray: np.ndarray, dpi: int, text_boxes: list[Box]) -> tuple[list[Box], list[Box]]:
    """(tables, photos) in page pixels."""
    height, width = gray.shape
    horizontal, vertical = _rulings(gray, dpi)
    grid = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables, photos = [], []
    cm = dpi / 2.54
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        box = (int(x), int(y), int(x + w), int(y + h))
        if x <= 2 or y <= 2 or x + w >= width - 2 or y + h >= height - 2:
            continue  # scan borders and page edges, not drawn rulings
        # count this component's own rulings: a page frame encloses the motto's underline and
        # other rules, which do not make it a table
        own = labels[y:y + h, x:x + w] == i
        h_lines = _count_lines(horizontal[y:y + h, x:x + w] & own, axis=1)
        v_lines = _count_lines(vertical[y:y + h, x:x + w] & own, axis=0)
        inside = [t for t in text_boxes if t[0] >= box[0] - 2 and t[2] <= box[2] + 2
                  and t[1] >= box[1] - 2 and t[3] <= box[3] + 2]
        if w > 0.3 * width and h_lines >= 3 and v_lines >= 2 and h > 1.0 * cm:
            tables.append(box)
        elif (2.0 * cm <= w <= 6.5 * cm and 2.5 * cm <= h <= 8.5 * cm and 1.05 <= h / w <= 1.8
              and h_lines >= 2 and v_lines >= 2 and len(inside) <= 2):
            photos.append(box)
    return tables, photos
