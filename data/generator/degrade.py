"""Scan and phone-photo degradations, with every box carried through the geometric ones.

One profile per document (all its pages went through the same scanner or phone): clean, scan,
grey scan, photo, fax. Geometry (skew up to ±5°, perspective, downsampling to 70-200 dpi) is one
3×3 matrix per page; a box is mapped by its four corners and replaced by the axis-aligned box
around them (rounded outwards and clipped to the page), which keeps nesting: a box inside another
stays inside it.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np

from .render import DPI


@dataclass
class Profile:
    name: str
    dpi: int
    skew: float
    perspective: float
    blur: float
    noise: float
    grey: bool
    binarize: bool
    bleed: float
    stains: int
    shadow: float
    jpeg_quality: int | None


def sample_profile(rng: random.Random) -> Profile:
    name = rng.choices(["clean", "scan", "grey_scan", "photo", "fax"], weights=[10, 45, 20, 17, 8])[0]
    dpi = rng.choices([200, 150, rng.randint(100, 149), rng.randint(70, 99)], weights=[25, 20, 30, 25])[0]
    skew = 0.0
    if name != "clean":
        skew = rng.choice([rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-5, 5)])
    return Profile(
        name=name, dpi=dpi if name != "clean" else rng.choice([200, 150, 120]),
        skew=skew,
        perspective=rng.uniform(0.02, 0.07) if name == "photo" else 0.0,
        blur=rng.uniform(0.6, 1.6) if name == "photo" else (rng.uniform(0, 0.9) if name != "clean" else 0.0),
        noise=rng.uniform(2, 10) if name in ("photo", "grey_scan", "scan") else 0.0,
        grey=name in ("grey_scan", "fax"),
        binarize=name == "fax",
        bleed=rng.uniform(0.05, 0.16) if name in ("scan", "grey_scan") and rng.random() < 0.3 else 0.0,
        stains=rng.choice([0, 0, 0, 1, 2]) if name in ("scan", "photo", "grey_scan") else 0,
        shadow=rng.uniform(0.15, 0.45) if name == "photo" else (rng.uniform(0.05, 0.2) if rng.random() < 0.2 else 0.0),
        jpeg_quality=rng.randint(35, 92) if name in ("photo", "scan", "grey_scan") and rng.random() < 0.7 else None,
    )


def _map_box(box, M: np.ndarray, w: int, h: int) -> list[int]:
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64).T
    q = M @ pts
    q = q[:2] / q[2]
    bx0 = max(0, int(math.floor(q[0].min())))
    by0 = max(0, int(math.floor(q[1].min())))
    bx1 = min(w, int(math.ceil(q[0].max())))
    by1 = min(h, int(math.ceil(q[1].max())))
    return [bx0, by0, max(bx0, bx1), max(by0, by1)]


def degrade_page(img: np.ndarray, profile: Profile, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Returns the degraded RGB image and the 3×3 matrix mapping clean to degraded pixels."""
    nprng = np.random.default_rng(rng.randrange(2**32))
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    paper = np.median(img[:20, :20].reshape(-1, 3), axis=0)

    if profile.bleed:  # the back of the sheet (here: this page mirrored), soft and faint
        small = cv2.resize(img[:, ::-1], (w // 3, h // 3), interpolation=cv2.INTER_AREA).astype(np.float32)
        back = cv2.resize(cv2.GaussianBlur(small, (0, 0), 1.0), (w, h), interpolation=cv2.INTER_LINEAR)
        out = np.minimum(out, 255 - (255 - back) * profile.bleed)
    if profile.stains:
        k = 8
        mask = np.zeros((h // k, w // k), np.float32)
        for _ in range(profile.stains):
            cx, cy = rng.randrange(w // k), rng.randrange(h // k)
            cv2.ellipse(mask, (cx, cy), (rng.randint(60, 300) // k, rng.randint(40, 220) // k), rng.uniform(0, 180),
                        0, 360, rng.uniform(0.08, 0.25), -1)
        mask = cv2.resize(cv2.GaussianBlur(mask, (0, 0), 25 / k), (w, h), interpolation=cv2.INTER_LINEAR)
        tint = np.array([150, 120, 70], np.float32) / 255
        out *= 1 - mask[..., None] * (1 - tint)

    # geometry: skew about the centre, then a perspective jitter of the corners (phone photos)
    M = np.eye(3)
    if profile.skew:
        R = cv2.getRotationMatrix2D((w / 2, h / 2), profile.skew, 1.0)
        M = np.vstack([R, [0, 0, 1]]) @ M
    if profile.perspective:
        p = profile.perspective
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = src + np.float32([[rng.uniform(0, p) * w, rng.uniform(0, p) * h],
                                [-rng.uniform(0, p) * w, rng.uniform(0, p) * h],
                                [-rng.uniform(0, p) * w, -rng.uniform(0, p) * h],
                                [rng.uniform(0, p) * w, -rng.uniform(0, p) * h]])
        M = cv2.getPerspectiveTransform(src, dst) @ M
    if not np.allclose(M, np.eye(3)):
        border = tuple(float(v) for v in (paper if not profile.perspective else
                                          np.array([rng.randint(40, 120)] * 3, np.float32)))
        out = cv2.warpPerspective(out, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                  borderValue=border)
    # resolution (blur and shadow are applied after it, scaled: same look, a fraction of the cost)
    scale = profile.dpi / DPI
    if scale != 1.0:
        nw, nh = int(round(w * scale)), int(round(h * scale))
        out = cv2.resize(out, (nw, nh), interpolation=cv2.INTER_AREA)
        M = np.diag([nw / w, nh / h, 1.0]) @ M
        h, w = nh, nw
    if profile.shadow:
        angle = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx * math.cos(angle) + yy * math.sin(angle))
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
        out *= (1 - profile.shadow * t ** rng.uniform(1, 3))[..., None]
    if profile.blur and profile.blur * scale >= 0.25:
        out = cv2.GaussianBlur(out, (0, 0), profile.blur * max(scale, 0.6))
    if profile.noise:
        out = out + nprng.normal(0, profile.noise, out.shape[:2])[..., None]
    out = np.clip(out, 0, 255)
    if profile.grey:
        g = out @ np.array([0.299, 0.587, 0.114], np.float32)
        if profile.binarize:
            g = np.where(g > rng.uniform(140, 190), 255.0, 0.0)
        out = np.repeat(g[..., None], 3, axis=2)
    return out.astype(np.uint8), M


def map_labels(page_lines, page_blocks, fields_on_page, M: np.ndarray, w: int, h: int):
    lines = [{**ln, "bbox": _map_box(ln["bbox"], M, w, h)} for ln in page_lines]
    blocks = [{**b, "bbox": _map_box(b["bbox"], M, w, h)} for b in page_blocks]
    fields = {}
    for k, f in fields_on_page.items():
        parts = [_map_box(b, M, w, h) for b in f.get("parts") or [f["bbox"]]]
        fields[k] = {**f, "bbox": [min(b[0] for b in parts), min(b[1] for b in parts),
                                   max(b[2] for b in parts), max(b[3] for b in parts)]}
    return lines, blocks, fields
