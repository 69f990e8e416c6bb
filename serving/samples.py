"""Distinct upload bodies for load and crash runs: real pages (or any scans) with a few pixels
changed per copy, so that every upload is a new document (the service is idempotent by content)."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
from PIL import Image

# shared/bench/real beside the checkout (a source tree run), else SOHOA_SAMPLES_DIR
DEFAULT_DIR = Path(os.environ.get("SOHOA_SAMPLES_DIR")
                   or Path(__file__).resolve().parents[2] / "shared" / "bench" / "real")
SUFFIXES = (".jpg", ".jpeg", ".png")


def source_pages(paths: list[Path] | None = None, limit: int = 12) -> list[Path]:
    if paths:
        out = []
        for p in paths:
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in SUFFIXES) if p.is_dir() else [p]
        return out
    # single-page images of the real set, smallest first (fast pages, as many layouts as possible);
    # not the degraded copies (-v1-noisy…), nor the Cao Bằng file that names private persons
    files = sorted((p for p in DEFAULT_DIR.glob("*") if p.suffix.lower() in SUFFIXES
                    and not re.search(r"-v\d", p.stem) and not p.name.startswith("caobang-")),
                   key=lambda p: p.stat().st_size)
    return files[:limit]


def variant(path: Path, index: int) -> tuple[str, bytes]:
    """The page with a tiny mark in its bottom-right corner encoding ``index`` (PNG or JPEG)."""
    img = np.array(Image.open(path).convert("RGB"))
    h, w = img.shape[:2]
    bits = [(index >> b) & 1 for b in range(24)]
    for b, bit in enumerate(bits):
        img[h - 2, w - 2 - b] = (250, 250, 250) if bit else (245, 245, 245)
    buf = io.BytesIO()
    fmt = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    # JPEG may smooth the mark away: the index also goes into the file's metadata, so that the
    # bytes (and the content hash) always differ
    if fmt == "JPEG":
        extra = {"quality": 92, "comment": f"sohoa-sample-{index}".encode()}
    else:
        from PIL.PngImagePlugin import PngInfo
        info = PngInfo()
        info.add_text("sohoa-sample", str(index))
        extra = {"pnginfo": info}
    Image.fromarray(img).save(buf, format=fmt, **extra)
    return f"{path.stem}-{index:05d}{path.suffix.lower()}", buf.getvalue()
