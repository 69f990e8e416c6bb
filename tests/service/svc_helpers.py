"""Helpers of the service tests (a module of its own: ``conftest`` is not importable by name
when several test folders have one)."""
from __future__ import annotations

from pathlib import Path

# the evaluation scans: shared/ beside the checkout (as tests/sohoa_testkit.py)
REAL = Path(__file__).resolve().parents[3] / "shared" / "bench" / "real"


def sample(name: str = "danang-sgddt-2020-p1.jpg") -> bytes:
    return (REAL / name).read_bytes()


def png_bytes(seed: int, size=(200, 280)) -> bytes:
    """A small distinct PNG (different content = a different document)."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    arr = np.full((size[1], size[0], 3), 255, np.uint8)
    arr[20:40, 20:180] = rng.integers(0, 255, (20, 160, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()
