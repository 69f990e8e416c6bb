"""Red seals (con dấu) found by colour.

A seal is a large blob of red ink: reported as a ``stamp`` block, and faded out of the OCR view
so that the signer's name and title under it read cleanly.
"""
from __future__ import annotations

import cv2
import numpy as np


# Seals scanned at low resolution and JPEG-compressed come out pale pink: saturation 35-60, where a
# fresh seal is 100+. Grey JPEG noise around black text stays under ~25; the blob shape tests of
# find_stamps keep scattered reddish pixels from counting as a seal.
MIN_SATURATION = 35
# In the red channel black text over a seal, even blended with the red at low resolution, reads
# darker than this share of the seal's own ink (the median red of its reddish pixels).
TEXT_UNDER_SEAL = 0.7


def red_mask(image: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    # OpenCV hue is 0..180; red wraps around 0.
    return (((h <= 10) | (h >= 160)) & (s >= MIN_SATURATION) & (v >= 60)).astype(np.uint8)


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
    """Inside seal boxes, read reddish pixels through the red channel: red ink is light there and
    goes to paper white, while black text printed over the seal stays dark. Turning every reddish
    pixel white instead ate the letters under the ring: at 70-100 dpi a thin black stroke on red
    blends into a dark red pixel ("GIÁM ĐỐC" read "ÁM ĐỐC"). "Reddish" is looser than
    :func:`red_mask` (red channel 12+ above green and blue): a pale seal's anti-aliased rims and
    small letters, left light grey, are still read as text by a line detector."""
    if not boxes:
        return gray
    out = gray.copy()
    for x0, y0, x1, y1 in boxes:
        rgb = image[y0:y1, x0:x1].astype(np.int16)
        reddish = (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2]) > 12) & (rgb[..., 0] >= 60)
        # JPEG's halved chroma leaves a light grey fringe around red strokes: whiten light pixels
        # next to red ones too (dark ink, the text under the seal, is kept)
        near = cv2.dilate(reddish.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        sub = out[y0:y1, x0:x1]
        red = rgb[..., 0].astype(np.uint8)
        ink = TEXT_UNDER_SEAL * float(np.median(red[reddish])) if reddish.any() else 150.0
        seen = np.where(red > ink, 255, red).astype(np.uint8)
        touched = reddish | (near & (sub > 150))
        sub[touched] = np.maximum(sub[touched], seen[touched])
    return out


def _near(box: tuple[int, int, int, int], seal: tuple[int, int, int, int]) -> bool:
    """Within one seal width left or right of a seal, half a height above or below: where the
    signature sits."""
    w, h = seal[2] - seal[0], seal[3] - seal[1]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return seal[0] - w <= cx <= seal[2] + w and seal[1] - h / 2 <= cy <= seal[3] + h / 2


def coloured_ink(image: np.ndarray, box: tuple[int, int, int, int], min_chroma: float = 6.0) -> bool:
    """Whether the ink in ``box`` is coloured (a blue signature, a seal's red), not printed black:
    the median chroma (CIELAB a*, b*) of its darkest fifth. Black print measures 0-3 even in
    JPEG; a ballpoint signature scanned at 70 dpi, washed out, still 8-10."""
    x0, y0, x1, y1 = box
    crop = image[max(0, y0):y1, max(0, x0):x1]
    if crop.size == 0 or crop.ndim != 3:
        return False
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    if len(lab) < 5:
        return False
    ink = lab[np.argsort(lab[:, 0])[:max(5, len(lab) // 5)]]
    return float(np.median(np.hypot(ink[:, 1] - 128, ink[:, 2] - 128))) > min_chroma


def drop_signature_ink(lines: list, image: np.ndarray, seals: list[tuple[int, int, int, int]],
                       max_confidence: float = 0.8) -> list:
    """OCR words next to a seal that are uncertain and written in coloured ink: the signature's
    scribble and what is left of the seal, which engines read as stray letters ("LOU_")."""
    if not seals:
        return lines
    out = []
    for line in lines:
        words = [w for w in line.words if not (w.confidence < max_confidence and any(_near(w.bbox, s) for s in seals)
                                               and coloured_ink(image, w.bbox))]
        if len(words) == len(line.words):
            out.append(line)
        elif words:
            line.words = words
            line.refresh()
            out.append(line)
    return out
