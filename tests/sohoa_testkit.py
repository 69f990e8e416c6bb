"""Test helpers shared by the test folders (a uniquely named module: several conftest.py exist).

The rendered letter is a test fixture only (the dataset generator lives in ``data/``): its values
are known, so end-to-end tests can assert exact fields.
"""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
REAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "real"

LETTER = {
    "parent": "UBND TỈNH NINH THUẬN",
    "agency": "SỞ Y TẾ",
    "number": "Số: 1234/SYT-NVY",
    "subject": ["V/v tăng cường kiểm tra an toàn", "thực phẩm dịp Tết Nguyên đán"],
    "place_date": "Ninh Thuận, ngày 12 tháng 3 năm 2024",
    "recipients": ["Kính gửi:", "- Các bệnh viện trực thuộc Sở;", "- Trung tâm Y tế các huyện."],
    "body": [
        "Thực hiện chỉ đạo của Bộ Y tế về bảo đảm an toàn thực phẩm, Sở Y tế đề nghị",
        "các đơn vị tăng cường kiểm tra các cơ sở sản xuất, kinh doanh thực phẩm trên địa bàn.",
        "Đề nghị các đơn vị nghiêm túc thực hiện và báo cáo kết quả về Sở trước ngày 30/3/2024.",
    ],
    "signer_title": "GIÁM ĐỐC",
    "signer_name": "Nguyễn Thị Minh Thư",
    "distribution": ["Nơi nhận:", "- Như trên;", "- Lưu: VT, NVY."],
}


def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / f"LiberationSerif-{style}.ttf"), size)


def render_letter(dpi: int = 150) -> Image.Image:
    """An official letter laid out as Decree 30/2020 prescribes, at ``dpi`` on A4."""
    s = dpi / 150
    w, h = int(1240 * s), int(1754 * s)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    reg, bold, ital = _font("Regular", int(27 * s)), _font("Bold", int(27 * s)), _font("Italic", int(27 * s))

    def centred(text, cx, y, font):
        tw = d.textlength(text, font=font)
        d.text((cx - tw / 2, y), text, font=font, fill="black")

    left_cx, right_cx = int(300 * s), int(850 * s)
    centred(LETTER["parent"], left_cx, 80 * s, reg)
    centred(LETTER["agency"], left_cx, 115 * s, bold)
    centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right_cx, 80 * s, bold)
    centred("Độc lập - Tự do - Hạnh phúc", right_cx, 115 * s, bold)
    d.line((right_cx - 160 * s, 150 * s, right_cx + 160 * s, 150 * s), fill="black", width=2)
    centred(LETTER["number"], left_cx, 180 * s, reg)
    for i, line in enumerate(LETTER["subject"]):
        centred(line, left_cx, (220 + 35 * i) * s, reg)
    centred(LETTER["place_date"], right_cx, 180 * s, ital)
    y = 330 * s
    d.text((300 * s, y), LETTER["recipients"][0], font=reg, fill="black")
    for line in LETTER["recipients"][1:]:
        d.text((440 * s, y), line, font=reg, fill="black")
        y += 38 * s
    y += 30 * s
    for line in LETTER["body"]:
        d.text((110 * s, y), line, font=reg, fill="black")
        y += 40 * s
    y += 60 * s
    centred(LETTER["signer_title"], right_cx, y, bold)
    for i, line in enumerate(LETTER["distribution"]):
        d.text((110 * s, y + i * 32 * s), line, font=ital if i == 0 else reg, fill="black")
    # a red seal over the signature, as on real papers
    r = 95 * s
    cx, cy = right_cx - 80 * s, y + 130 * s
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(210, 30, 30), width=int(6 * s))
    d.ellipse((cx - r + 20 * s, cy - r + 20 * s, cx + r - 20 * s, cy + r - 20 * s), outline=(210, 30, 30), width=int(3 * s))
    centred(LETTER["signer_name"], right_cx, y + 260 * s, bold)
    return img


def png_bytes(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


# --- OCR lines, as an engine gives them: the layout and rules tests' input ----------------------

W, H = 1240, 1754  # an A4 page at 150 dpi


def ocr_line(y, *spans, conf=0.95):
    """spans: (x0, text) pairs; each word is 14 px per character wide, 28 px tall."""
    from sohoa.models.ocr.base import OcrLine, OcrWord

    words = []
    for x0, text in spans:
        x = x0
        for w in text.split():
            words.append(OcrWord(w, (x, y, x + 14 * len(w), y + 28), conf))
            x += 14 * len(w) + 10
    return OcrLine(words)


def letter_ocr_lines():
    """A one-page official letter (công văn) as OCR lines: header, V/v, Kính gửi, body, closing."""
    line = ocr_line
    return [
        line(80, (120, "UBND TỈNH NINH THUẬN"), (640, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        line(115, (220, "SỞ Y TẾ"), (680, "Độc lập - Tự do - Hạnh phúc")),
        line(180, (180, "Số: 12/SYT-NVY"), (660, "Ninh Thuận, ngày 12 tháng 3 năm 2024")),
        line(220, (150, "V/v kiểm tra an toàn thực phẩm")),
        line(330, (300, "Kính gửi: Các bệnh viện trực thuộc Sở")),
        line(420, (110, "Thực hiện chỉ đạo của Bộ Y tế về bảo đảm an toàn thực phẩm, Sở Y tế đề nghị")),
        line(460, (110, "các đơn vị tăng cường kiểm tra các cơ sở sản xuất thực phẩm.")),
        line(560, (110, "Nơi nhận:"), (760, "GIÁM ĐỐC")),
        line(595, (110, "- Như trên;")),
        line(630, (110, "- Lưu: VT.")),
        line(820, (700, "Nguyễn Thị Minh Thư")),
    ]


def prepared_page(lines, left: int = 100) -> dict:
    """A prepared layout-model page (training/prepare.py's token lists) from (role, [(word, tag)])
    lines: one line per 100 units down, words 60 units apart from ``left``, pixel boxes twice that."""
    ex = {"words": [], "boxes": [], "px_boxes": [], "input_roles": [], "lines": [], "field_tags": [], "role_tags": []}
    for k, (role, words) in enumerate(lines):
        for j, (w, tag) in enumerate(words):
            ex["words"].append(w)
            ex["boxes"].append([left + 60 * j, 100 * k, left + 50 + 60 * j, 100 * k + 30])
            ex["px_boxes"].append([2 * left + 120 * j, 200 * k, 2 * left + 100 + 120 * j, 200 * k + 60])
            ex["input_roles"].append(role)
            ex["lines"].append([k, 0])
            ex["field_tags"].append(tag)
            ex["role_tags"].append(role)
    return ex
