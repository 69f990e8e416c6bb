"""Red seals (con dấu) found by colour.

A seal is a large blob of red ink: reported as a ``stamp`` block, and faded out of the OCR view
so that the signer's name and title under it read cleanly.
"""
from __future__ import annotations

import cv2
import numpy as np


def red_mask(image: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    # OpenCV hue is 0..180; red wraps around 0. Saturation keeps grey JPEG noise out.
    return (((h <= 10) | (h >= 160)) & (s >= 70) & (v >= 60)).astype(np.uint8)


def find_stamps(image: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes of red seals: blobs of red ink at least ~1.2 cm across and roughly as tall as wide."""
    mask = red_mask(image)
    if mask.sum() < 50:
        return []
    k = max(3, int(dpi / 25))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    min_side = 0.47 * dpi  # 1.2 cm; official seals are 3.5-4.2 cm across
    H, W = mask.shape
    boxes = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        touches_edge = x == 0 or y == 0 or x + w >= W or y + h >= H  # fingers, scanner lids
        if (w >= min_side and h >= min_side and 0.5 <= w / h <= 2.0 and area >= 0.02 * w * h
                and not touches_edge):
            boxes.append((int(x), int(y), int(x + w), int(y + h)))
    # The inner ring of a seal is a blob of its own: keep the outer one.
    return [b for b in boxes if not any(o != b and o[0] <= b[0] and o[1] <= b[1] and o[2] >= b[2]
                                        and o[3] >= b[3] for o in boxes)]


def fade_stamps(gray: np.ndarray, image: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Inside seal boxes, replace red ink by its red-channel brightness (near white): black
    text under the seal stays, the seal fades."""
    if not boxes:
        return gray
    out = gray.copy()
    mask = red_mask(image).astype(bool)
    for x0, y0, x1, y1 in boxes:
        region = mask[y0:y1, x0:x1]
        sub = out[y0:y1, x0:x1]
        sub[region] = np.maximum(sub[region], image[y0:y1, x0:x1, 0][region])
    return out
