"""Reading scans into page images: PNG, JPEG, TIFF (multi-page) and PDF.

The file type is sniffed from its bytes, never trusted from its name. Limits (bytes, pages,
pixels) are checked before anything is decoded, so a decompression bomb costs nothing.
Every failure is an ``InputError`` with a one-line reason that the CLI and the API show as is.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from sohoa.models.config import Limits

A4_WIDTH_INCHES = 8.27


class InputError(Exception):
    """A file that cannot be processed. ``status`` follows HTTP: 413 too large, 422 unreadable."""

    def __init__(self, reason: str, status: int = 422):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class PageImage:
    number: int          # 1-based
    image: np.ndarray    # RGB uint8, H×W×3
    dpi: int
    dpi_estimated: bool = False
    notes: list[str] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith((b"BM", b"RIFF")) or data[4:12] in (b"ftypavif", b"ftypheic"):
        return "image"  # other formats Pillow may read (BMP, WebP); best effort
    return None


def load_pages(data: bytes, filename: str, limits: Limits, pdf_dpi: int = 200) -> list[PageImage]:
    if not data:
        raise InputError("empty file (0 bytes)")
    if len(data) > limits.max_bytes:
        raise InputError(f"file too large: {len(data)} bytes > limit {limits.max_bytes}", 413)
    kind = sniff(data)
    if kind is None:
        raise InputError(f"not a supported image or PDF (content of {Path(filename).name!r} is not "
                         "PNG, JPEG, TIFF or PDF)", 415)
    if kind == "pdf":
        return _load_pdf(data, limits, pdf_dpi)
    return _load_image(data, limits)


def read_scan(path: str | Path, limits: Limits) -> bytes:
    """The bytes of a file, refused before reading when over the byte limit."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:  # refuse before reading it into memory
            raise InputError(f"file too large: {size} bytes > limit {limits.max_bytes}", 413)
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None


def load_path(path: str | Path, limits: Limits, pdf_dpi: int = 200) -> list[PageImage]:
    return load_pages(read_scan(path, limits), Path(path).name, limits, pdf_dpi)


def _to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    elif img.mode.startswith("I;16") or img.mode == "I":
        arr = np.asarray(img, dtype=np.float32)
        img = Image.fromarray((arr / max(arr.max(), 1) * 255).astype(np.uint8))
    return np.asarray(img.convert("RGB"))


def _image_dpi(img: Image.Image) -> tuple[int, bool]:
    dpi = img.info.get("dpi")
    if dpi:
        value = int(round(float(dpi[0])))
        # 72 and 96 are what software writes when it does not know; a scan is rarely that coarse
        # and an A4 page at 72 dpi would be 595 px wide, so only trust it if the size agrees.
        if 100 <= value <= 1200 or (value in (72, 96) and abs(img.width / value - A4_WIDTH_INCHES) < 1.0):
            return value, False
    # Administrative papers are A4 portrait: width ≈ 8.27 in (landscape spreads: the short side).
    return max(30, int(round(min(img.width, img.height * 0.7071) / A4_WIDTH_INCHES))), True


def _load_image(data: bytes, limits: Limits) -> list[PageImage]:
    Image.MAX_IMAGE_PIXELS = None  # we check limits ourselves, per page, with a clear message
    try:
        img = Image.open(io.BytesIO(data))
    except Exception as exc:  # Pillow raises many types for corrupt headers
        raise InputError(f"unreadable image: {exc}") from None
    n_frames = getattr(img, "n_frames", 1)
    if n_frames > limits.max_pages:
        raise InputError(f"too many pages: {n_frames} > limit {limits.max_pages}", 413)
    pages: list[PageImage] = []
    for index in range(n_frames):
        try:
            img.seek(index)
            w, h = img.size
            if w * h > limits.max_pixels:
                raise InputError(f"image too large: {w}×{h} = {w * h} pixels > limit "
                                 f"{limits.max_pixels} (page {index + 1})", 413)
            if w < 16 or h < 16:
                raise InputError(f"image too small to hold text: {w}×{h} pixels (page {index + 1})")
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a truncated file is an error, not a warning
                img.load()
                frame = ImageOps.exif_transpose(img) if index == 0 else img
            dpi, estimated = _image_dpi(img)
            pages.append(PageImage(index + 1, _to_rgb(frame), dpi, estimated))
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"unreadable image (page {index + 1}): {exc}") from None
    return pages


def _load_pdf(data: bytes, limits: Limits, dpi: int) -> list[PageImage]:
    # Pages are always rasterized: a scanner's hidden OCR layer is usually garbage
    # ("S6: 463Y SGDDT") and is ignored.
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise InputError("encrypted PDF: a password is required") from None
        raise InputError(f"unreadable PDF: {message}") from None
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise InputError("PDF has no pages")
        if n_pages > limits.max_pages:
            raise InputError(f"too many pages: {n_pages} > limit {limits.max_pages}", 413)
        pages = []
        for index in range(n_pages):
            page = pdf[index]
            w_pt, h_pt = page.get_size()
            w_px, h_px = int(w_pt * dpi / 72), int(h_pt * dpi / 72)
            if w_px * h_px > limits.max_pixels:
                raise InputError(f"PDF page {index + 1} too large: {w_px}×{h_px} pixels at {dpi} dpi "
                                 f"> limit {limits.max_pixels}", 413)
            bitmap = page.render(scale=dpi / 72)
            image = np.asarray(bitmap.to_pil().convert("RGB"))
            pages.append(PageImage(index + 1, image, dpi, False))
        return pages
    except InputError:
        raise
    except pdfium.PdfiumError as exc:
        raise InputError(f"unreadable PDF page: {exc}") from None
    finally:
        pdf.close()
