from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
ZOO = Path(__file__).resolve().parents[2] / "models" / "zoo" / "recognizer"

# make test installs fonts-liberation2 and the recognizer is committed: both missing is a broken checkout
assert FONT.exists() and any(ZOO.glob("*/rec.onnx")), "needs Liberation Serif 2 and a committed recognizer model"

LINES = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "Số: 1906/SGDĐT-CTrTT ngày 26 tháng 7 năm 2020", "khẩn trương thực hiện các biện pháp phòng, chống dịch"]


def page():
    img = Image.new("L", (1400, 400), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 36)  # 13 pt at 200 dpi
    for i, t in enumerate(LINES):
        d.text((60, 40 + 80 * i), t, font=font, fill=20)
    return np.asarray(img)


def test_engine_reads_a_rendered_page():
    from sohoa.models.ocr import ENGINES
    from sohoa.models.ocr.recognizer import SohoaEngine
    assert "sohoa" in ENGINES
    eng = SohoaEngine(threads=2)
    lines = eng.recognize(page(), 200)
    assert len(lines) == len(LINES)
    for got, want in zip(lines, LINES):
        assert Levenshtein.distance(got.text, want) / len(want) <= 0.05, (got.text, want)
        assert 0 < got.confidence <= 1
        assert got.bbox[0] >= 40 and got.bbox[2] <= 1400
        xs = [w.bbox[0] for w in got.words]
        assert xs == sorted(xs)  # word boxes placed left to right from the CTC frames


def test_line_recognizer_on_cached_style_crops():
    from sohoa.models.ocr.recognizer import LineRecognizer
    rec = LineRecognizer(threads=2)
    crop = page()[30:90, 40:1000]
    out = rec.recognize_lines([crop, crop[:, :400]])
    assert Levenshtein.distance(out[0].text, LINES[0]) <= 2
    assert len(out[1].text) < len(out[0].text)
