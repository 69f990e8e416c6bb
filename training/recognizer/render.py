"""Line images for training, rendered once and cached (never inside the training loop).

Each sample imitates what the engine gives the recognizer: a crop of a grey page around one
detected text line (loose margins, bits of the neighbouring lines), at the page's resolution
(70 to 300 dpi), then resized to height 48. Degradations: blur, noise, JPEG, paper tint, dark
scans, thresholded (fax-like) scans, slight rotation, and stamp strokes across the text.

Only PIL, numpy and OpenCV: it runs on the GPU machine's 16 cores as well as here.
"""
from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

HEIGHT = 48
LOW_RES = float(os.environ.get("SOHOA_REC_LOW_RES", "1"))  # weight of 70-100 dpi lines (vs 2 others)
MAX_WIDTH = 1600

FONT_DIRS = ["/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/dejavu",
             "/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/liberation"]
# (file name, weight). Times-metric serif dominates, as in Decree 30 documents.
FONT_FILES = [
    ("LiberationSerif-Regular.ttf", 30), ("LiberationSerif-Bold.ttf", 16), ("LiberationSerif-Italic.ttf", 8),
    ("LiberationSerif-BoldItalic.ttf", 4),
    ("NotoSerif-Regular.ttf", 6), ("NotoSerif-Bold.ttf", 3), ("NotoSerif-Italic.ttf", 2),
    ("DejaVuSerif.ttf", 3), ("DejaVuSerif-Bold.ttf", 2), ("DejaVuSerifCondensed.ttf", 2),
    ("DejaVuSerif-Italic.ttf", 1),
    ("LiberationSans-Regular.ttf", 5), ("LiberationSans-Bold.ttf", 4), ("LiberationSans-Italic.ttf", 2),
    ("LiberationSansNarrow-Regular.ttf", 1), ("LiberationSansNarrow-Bold.ttf", 1),
    ("NotoSans-Regular.ttf", 3), ("NotoSans-Bold.ttf", 2), ("NotoSans-Italic.ttf", 2),
    ("DejaVuSans.ttf", 2), ("DejaVuSans-Bold.ttf", 1), ("DejaVuSans-Oblique.ttf", 2),
    ("DejaVuSansCondensed.ttf", 1), ("DejaVuSansCondensed-Oblique.ttf", 1),
    ("NotoSerifDisplay-Regular.ttf", 1), ("NotoSansDisplay-Regular.ttf", 1),
    ("LiberationMono-Regular.ttf", 1),
]


def font_paths(extra_dirs: list[str] | None = None) -> list[tuple[str, float]]:
    dirs = list(extra_dirs or []) + [d for d in os.environ.get("SOHOA_FONT_DIRS", "").split(":") if d] + FONT_DIRS
    out = []
    for name, weight in FONT_FILES:
        for d in dirs:
            p = Path(d) / name
            if p.exists():
                out.append((str(p), float(weight)))
                break
    out = [(p, w) for p, w in out if has_glyphs(p)]
    if not out:
        raise RuntimeError("no fonts found (apt-get install fonts-liberation2 fonts-dejavu fonts-noto-core)")
    return out


@lru_cache(maxsize=64)
def has_glyphs(path: str) -> bool:
    """True when the font draws every character of the charset (no .notdef boxes)."""
    from sohoa.training.recognizer.charset import charset
    font = ImageFont.truetype(path, 24)
    notdef = bytes(font.getmask("\ue000"))
    return all(bytes(font.getmask(c)) != notdef for c in charset() if not c.isspace())


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@dataclass
class Renderer:
    fonts: list[tuple[str, float]]
    seed: int = 0

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.nprng = np.random.default_rng(self.seed)
        self.paths = [p for p, _ in self.fonts]
        self.weights = [w for _, w in self.fonts]

    def _draw(self, text: str, path: str, size: int, ink: int, paper: int, neighbours: list[str]):
        font = _font(path, size)
        l, t, r, b = font.getbbox(text)
        asc, desc = font.getmetrics()
        line_h = asc + desc
        pad = size
        w = max(r, 1) + 2 * pad
        gap = int(line_h * self.rng.uniform(0.9, 1.6))
        h = line_h + 2 * pad + (2 * gap if neighbours else 0)
        img = Image.new("L", (w, h), paper)
        d = ImageDraw.Draw(img)
        y0 = pad + (gap if neighbours else 0)
        d.text((pad, y0), text, font=font, fill=ink)
        if neighbours:
            for k, nt in enumerate(neighbours[:2]):
                y = y0 - gap if k == 0 else y0 + gap
                d.text((pad + self.rng.randint(-size, size * 3), y), nt, font=font, fill=ink)
        # the text's own ink box (the detector's box), from the font's metrics
        box = (pad + l, y0 + min(t, asc - int(0.75 * size)), pad + r, y0 + max(b, asc + desc // 2))
        return np.asarray(img), box

    def render(self, text: str, neighbour_texts: list[str] | None = None) -> np.ndarray:
        rng = self.rng
        path = rng.choices(self.paths, self.weights)[0]
        size = rng.randint(30, 46)
        paper = rng.randint(215, 255) if rng.random() < 0.85 else rng.randint(140, 215)
        ink = rng.randint(0, 70) if paper > 180 else rng.randint(0, 40)
        neighbours = neighbour_texts if (neighbour_texts and rng.random() < 0.25) else []
        img, (x0, y0, x1, y1) = self._draw(text, path, size, ink, paper, neighbours)
        img = img.astype(np.float32)
        th = y1 - y0
        # stamp strokes across the text (red ink seen through a grey page)
        if rng.random() < 0.12:
            img = self._stamp(img, (x0, y0, x1, y1))
        # small rotation / shear, as after deskew
        if rng.random() < 0.4:
            ang = rng.uniform(-1.2, 1.2)
            shear = rng.uniform(-0.15, 0.15) if rng.random() < 0.3 else 0.0
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            M = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
            M[0, 1] += shear
            M[0, 2] -= shear * cy
            img = cv2.warpAffine(img, M, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        # the detector's crop: loose, uneven margins
        mt, mb = th * rng.uniform(0.02, 0.45), th * rng.uniform(0.02, 0.45)
        ml, mr = th * rng.uniform(0.0, 0.6), th * rng.uniform(0.0, 0.6)
        cy0, cy1 = max(0, int(y0 - mt)), min(img.shape[0], int(math.ceil(y1 + mb)))
        cx0, cx1 = max(0, int(x0 - ml)), min(img.shape[1], int(math.ceil(x1 + mr)))
        img = img[cy0:cy1, cx0:cx1]
        # paper texture / uneven lighting
        if rng.random() < 0.5:
            h, w = img.shape
            low = cv2.resize(self.nprng.normal(0, rng.uniform(2, 12), (max(2, h // 16), max(2, w // 16))).astype(np.float32), (w, h))
            img = img + low
        # scan resolution: the line's height in page pixels (70 dpi small print .. 300 dpi headings)
        target_h = rng.choices([rng.uniform(12, 20), rng.uniform(18, 34), rng.uniform(28, 64)], [LOW_RES, 1, 1])[0]
        scale = target_h / img.shape[0]
        small = cv2.resize(img, (max(4, int(round(img.shape[1] * scale))), max(4, int(round(target_h)))),
                           interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            sigma = rng.uniform(0.3, 1.3) if target_h > 20 else rng.uniform(0.2, 0.8)
            small = cv2.GaussianBlur(small, (0, 0), sigma)
        if rng.random() < 0.5:
            small = small + self.nprng.normal(0, rng.uniform(2, 14), small.shape)
        small = np.clip(small, 0, 255).astype(np.uint8)
        r = rng.random()
        if r < 0.08:  # fax-like: thresholded
            _, small = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        elif r < 0.14:  # ink bleed / erosion
            k = np.ones((2, 2), np.uint8)
            small = cv2.erode(small, k) if rng.random() < 0.5 else cv2.dilate(small, k)
        if rng.random() < 0.5:
            q = rng.randint(20, 90)
            ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, q])
            small = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
        if rng.random() < 0.1:  # contrast / dark scan
            a, b = rng.uniform(0.5, 1.0), rng.uniform(-60, 20)
            small = np.clip(small.astype(np.float32) * a + b, 0, 255).astype(np.uint8)
        return to_height(small)

    def _stamp(self, img: np.ndarray, box) -> np.ndarray:
        rng = self.rng
        x0, y0, x1, y1 = box
        th = y1 - y0
        layer = np.zeros(img.shape, np.uint8)
        grey = rng.randint(70, 170)
        cx = rng.uniform(x0, x1)
        cy = rng.uniform(y0 - 3 * th, y1 + 3 * th)
        rad = int(rng.uniform(3, 8) * th)
        thick = max(2, int(th * rng.uniform(0.08, 0.2)))
        cv2.circle(layer, (int(cx), int(cy)), rad, 255, thick)
        if rng.random() < 0.6:
            cv2.circle(layer, (int(cx), int(cy)), int(rad * 0.8), 255, max(1, thick // 2))
        if rng.random() < 0.5:  # a signature-like stroke
            pts = np.array([[rng.uniform(x0, x1), rng.uniform(y0 - th, y1 + th)] for _ in range(6)], np.int32)
            cv2.polylines(layer, [pts], False, 255, thick)
        alpha = layer.astype(np.float32) / 255.0 * rng.uniform(0.5, 0.95)
        return img * (1 - alpha) + np.minimum(img, grey) * alpha


def to_height(grey: np.ndarray, height: int = HEIGHT, max_width: int = MAX_WIDTH) -> np.ndarray:
    """Resize a grey crop to the recognizer's height, keeping its aspect ratio (as at inference)."""
    h, w = grey.shape[:2]
    nw = max(8, min(max_width, int(math.ceil(w * height / max(h, 1)))))
    interp = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    return cv2.resize(grey, (nw, height), interpolation=interp)


# --- batch rendering into a cache ---------------------------------------------------------------

def _render_chunk(args):
    texts, seed, fonts = args
    r = Renderer(fonts, seed)
    out = []
    for i, t in enumerate(texts):
        nb = [texts[(i + 7) % len(texts)], texts[(i + 13) % len(texts)]]
        try:
            out.append(r.render(t, nb))
        except Exception:  # a glyph-less font or a degenerate crop: skip the sample
            out.append(None)
    return out


def render_cache(texts: list[str], out: Path, workers: int = 2, seed: int = 0,
                 font_dirs: list[str] | None = None, chunk: int = 500) -> int:
    """Render ``texts`` into ``out`` (.npz: concatenated pixels, widths, texts). Returns count."""
    fonts = font_paths(font_dirs)
    jobs = [(texts[i:i + chunk], seed * 100003 + i, fonts) for i in range(0, len(texts), chunk)]
    imgs, kept = [], []
    with Pool(workers) as pool:
        for j, res in enumerate(pool.imap(_render_chunk, jobs)):
            base = j * chunk
            for k, im in enumerate(res):
                if im is not None:
                    imgs.append(im)
                    kept.append(texts[base + k])
    save_cache(out, imgs, kept)
    return len(kept)


def save_cache(out: Path, imgs: list[np.ndarray], texts: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    widths = np.array([im.shape[1] for im in imgs], np.int32)
    pixels = np.concatenate([im.T.reshape(-1) for im in imgs]) if imgs else np.zeros(0, np.uint8)
    (np.savez_compressed if os.environ.get("SOHOA_CACHE_COMPRESS") else np.savez)(out, pixels=pixels, widths=widths, texts=np.array(texts, dtype=object), allow_pickle=True)


def save_cache_jpeg(out: Path, imgs: list[np.ndarray], texts: list[str], quality: int = 92) -> None:
    """A compact cache (JPEG per line) for moving line sets between machines."""
    out.parent.mkdir(parents=True, exist_ok=True)
    blobs = np.empty(len(imgs), dtype=object)
    for i, im in enumerate(imgs):
        blobs[i] = cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()
    np.savez(out, jpeg=blobs, texts=np.array(texts, dtype=object), allow_pickle=True)


def load_cache(path: Path) -> tuple[list[np.ndarray], list[str]]:
    z = np.load(path, allow_pickle=True)
    if "jpeg" in z.files:
        imgs = [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_GRAYSCALE) for b in z["jpeg"]]
        return imgs, list(z["texts"])
    pixels, widths, texts = z["pixels"], z["widths"], list(z["texts"])
    imgs, off = [], 0
    for w in widths:
        n = int(w) * HEIGHT
        imgs.append(pixels[off:off + n].reshape(int(w), HEIGHT).T)
        off += n
    return imgs, texts
