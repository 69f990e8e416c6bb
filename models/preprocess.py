"""Page preprocessing: orientation (0/90/180/270), deskew (up to ±10°), and the OCR view.

The corrected page (``PreparedPage.image``) is what every box of the result refers to. OCR runs on
a resampled grey view of it, because Tesseract reads 70 dpi scans far better at twice the size;
its boxes are scaled back.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from sohoa.models.stamps import fade_stamps, find_stamps

_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ROT_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")
CV_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass
class PreparedPage:
    image: np.ndarray      # RGB page after rotation and deskew: the result's coordinates
    rotation: int          # clockwise degrees applied
    skew: float            # degrees of deskew applied (counter-clockwise positive)
    ocr_image: np.ndarray  # grey, resampled by ocr_scale
    ocr_scale: float
    ocr_dpi: int
    stamps: list[tuple[int, int, int, int]]  # seal boxes in page coordinates


def detect_orientation(gray: np.ndarray, dpi: int, min_confidence: float = 4.0) -> int:
    """Clockwise rotation that makes the page upright, by Tesseract's OSD at about 150 dpi.

    A wrong turn ruins a page while a missed one only leaves a rotated scan unread, so weak
    evidence keeps the page as it is (seen: a blurred phone photo called 180° at confidence 2.2,
    true turns at 8-15)."""
    # OSD misreads coarse scans (a 70 dpi page came out upside down): look at about 150 dpi.
    scale = min(3.0, 150 / max(dpi, 1))
    small = cv2.resize(gray, None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(".png", small)
    try:
        proc = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0", "--dpi",
                               str(int(dpi * scale))], input=buf.tobytes(), capture_output=True,
                              timeout=30, check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except (subprocess.TimeoutExpired, FileNotFoundError):
        return 0
    text = proc.stdout.decode(errors="replace")
    rotate, conf = _ROTATE.search(text), _ROT_CONF.search(text)
    # OSD fails ("Too few characters") on near-blank or very coarse pages: keep them as they are.
    if not rotate or not conf or float(conf[1]) < min_confidence:
        return 0
    return int(rotate[1]) % 360


def estimate_skew(gray: np.ndarray, max_angle: float = 10.0) -> float:
    """Angle (degrees, counter-clockwise positive) that makes text rows horizontal: the one whose
    row profile of ink is sharpest. Coarse 0.5° search, then 0.1° refinement."""
    scale = min(1.0, 900 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if ink.mean() < 0.005:  # near-blank (a lone faint seal): measured 0.2% ink there, 8%+ on text pages
        return 0.0
    h, w = ink.shape
    center = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(profile) ** 2))

    coarse = np.arange(-max_angle, max_angle + 1e-6, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    best = max(fine, key=sharpness)
    # On a near-blank page (a lone seal) any angle is as good as another: keep it level.
    if abs(best) < 0.15 or sharpness(best) < 1.1 * sharpness(0.0):
        return 0.0
    return round(float(best), 2)


def rotate_by(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by ``angle`` degrees on a canvas grown to keep every corner."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    new_w, new_h = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    m[0, 2] += new_w / 2 - w / 2
    m[1, 2] += new_h / 2 - h / 2
    border = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpAffine(image, m, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=border)


def prepare_page(image: np.ndarray, dpi: int, *, detect_rotation: bool = True,
                 max_skew: float = 10.0, ocr_min_dpi: int = 140, ocr_max_dpi: int = 300,
                 orientation: Callable[[np.ndarray, int], int] | None = None) -> PreparedPage:
    """``orientation(grey, dpi)``: the clockwise turn that makes a page upright; by default
    Tesseract's OSD (the ``sohoa`` engine brings its own, ``models/ocr/orientation.py``)."""
    orient = orientation or detect_orientation
    rotation = orient(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dpi) if detect_rotation else 0
    if rotation:
        image = cv2.rotate(image, CV_ROTATE[rotation])
    skew = estimate_skew(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), max_skew) if max_skew > 0 else 0.0
    if skew:
        image = rotate_by(image, skew)
    scale = 1.0
    if dpi < ocr_min_dpi:
        scale = min(3.0, ocr_min_dpi / dpi)
    elif dpi > ocr_max_dpi:
        scale = ocr_max_dpi / dpi
    stamps = find_stamps(image, dpi)
    gray = fade_stamps(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), image, stamps)
    if scale != 1.0:
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
    return PreparedPage(image, rotation, skew, gray, scale, int(round(dpi * scale)), stamps)
