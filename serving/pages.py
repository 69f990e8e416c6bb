"""Page images: the PNG the worker rendered, or rendered now from the stored original."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

from sohoa.serving.runner import _encode_png, render_pages
from sohoa.serving.storage.blobs import BlobStore
from sohoa.serving.storage.tables import Document


class _NoRenderer:
    """Stands in for a pipeline without ``render_page``: render_pages falls back to the scan."""


def page_png(store: BlobStore, doc: Document, number: int) -> bytes:
    path = store.page_path(doc.sha256, number)
    if path.is_file():
        return path.read_bytes()
    data = store.read_original(doc.sha256)
    images = render_pages(_NoRenderer(), data, doc.filename, doc.result)
    png = b""
    for page, image in zip(doc.result.get("pages") or [], images):
        encoded = _encode_png(image)
        store.put_page_png(doc.sha256, page["number"], encoded)
        if page["number"] == number:
            png = encoded
    return png


def draw_boxes(png: bytes, effective: dict, number: int) -> bytes:
    """Line boxes in blue, field boxes in red with their names."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for page in effective.get("pages") or []:
        if page.get("number") != number:
            continue
        for block in page.get("blocks") or []:
            for line in block.get("lines") or []:
                draw.rectangle(tuple(line["bbox"]), outline=(40, 90, 220), width=1)
    width = max(2, img.width // 500)
    for name, field in (effective.get("fields") or {}).items():
        if field.get("page") == number and any(field.get("bbox") or []):
            x0, y0, x1, y1 = field["bbox"]
            draw.rectangle((x0, y0, x1, y1), outline=(220, 30, 30), width=width)
            draw.text((x0, max(0, y0 - 12)), name, fill=(220, 30, 30))
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=3)
    return out.getvalue()
