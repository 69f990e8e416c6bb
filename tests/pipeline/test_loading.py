import io
import struct
import zlib

import pytest
from PIL import Image

from sohoa.models.config import Limits
from sohoa.models.loading import InputError, load_pages, sniff


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: a decompression bomb must be refused before decoding."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _image_bytes(fmt: str, size=(300, 400), **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_sniff_by_content_not_name():
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(_image_bytes("PNG")) == "png"
    assert sniff(_image_bytes("JPEG")) == "jpeg"
    assert sniff(_image_bytes("TIFF")) == "tiff"
    assert sniff(b"hello, this is text") is None


def test_zero_byte_file():
    with pytest.raises(InputError, match="empty file"):
        load_pages(b"", "scan.png", Limits())


def test_text_file_named_png():
    with pytest.raises(InputError, match="not a supported image or PDF") as exc:
        load_pages(b"just some text\n", "scan.png", Limits())
    assert exc.value.status == 415


def test_truncated_jpeg(real_dir):
    data = (real_dir / "danang-sgddt-2020-p1.jpg").read_bytes()
    with pytest.raises(InputError, match="truncated"):
        load_pages(data[: len(data) // 3], "cut.jpg", Limits())


def test_decompression_bomb_refused_before_decoding():
    with pytest.raises(InputError, match="too large") as exc:
        load_pages(_png_header_only(20000, 20000), "bomb.png", Limits())
    assert exc.value.status == 413


def test_byte_and_page_limits():
    with pytest.raises(InputError, match="file too large"):
        load_pages(_image_bytes("PNG"), "a.png", Limits(max_bytes=100))
    frames = [Image.new("RGB", (100, 100), "white") for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(InputError, match="too many pages"):
        load_pages(buf.getvalue(), "a.tiff", Limits(max_pages=2))


def test_multipage_tiff_and_rgba_png():
    frames = [Image.new("RGB", (120, 160), c) for c in ("white", "gray")]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    pages = load_pages(buf.getvalue(), "two.tiff", Limits())
    assert [p.number for p in pages] == [1, 2] and pages[0].dpi == 200 and not pages[0].dpi_estimated
    rgba = Image.new("RGBA", (120, 160), (0, 0, 0, 0))
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    page = load_pages(out.getvalue(), "t.png", Limits())[0]
    assert page.image.shape == (160, 120, 3) and page.image.min() == 255  # transparent → white


def test_pdf_pages_render_at_dpi():
    buf = io.BytesIO()
    Image.new("RGB", (827, 1169), "white").save(buf, format="PDF", resolution=100, save_all=True,
                                               append_images=[Image.new("RGB", (827, 1169), "white")])
    pages = load_pages(buf.getvalue(), "a.pdf", Limits(), pdf_dpi=72)
    assert len(pages) == 2
    assert abs(pages[0].image.shape[1] - 595) <= 2 and pages[0].dpi == 72


def test_broken_pdf():
    with pytest.raises(InputError, match="unreadable PDF"):
        load_pages(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf", Limits())


def test_encrypted_pdf():
    import pypdf

    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, format="PDF")
    reader = pypdf.PdfReader(io.BytesIO(buf.getvalue()))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    enc = io.BytesIO()
    writer.write(enc)
    with pytest.raises(InputError, match="encrypted PDF"):
        load_pages(enc.getvalue(), "locked.pdf", Limits())


def test_pdf_page_pixel_limit():
    buf = io.BytesIO()
    Image.new("RGB", (500, 500), "white").save(buf, format="PDF", resolution=10)  # 50 × 50 in
    with pytest.raises(InputError, match="too large"):
        load_pages(buf.getvalue(), "poster.pdf", Limits(max_pixels=10_000_000), pdf_dpi=200)


def test_paths_refused_before_reading(tmp_path):
    from sohoa.models.loading import read_scan

    big = tmp_path / "big.png"
    big.write_bytes(_image_bytes("PNG"))
    with pytest.raises(InputError, match="file too large") as exc:
        read_scan(big, Limits(max_bytes=100))
    assert exc.value.status == 413
    with pytest.raises(InputError, match="is a directory"):
        read_scan(tmp_path, Limits())
    with pytest.raises(InputError, match="cannot read file"):
        read_scan(tmp_path / "missing.pdf", Limits())
