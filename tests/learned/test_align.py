"""Ground-truth fields and roles aligned to OCR words (box overlap + fuzzy text)."""
from sohoa.models.learned.runtime import split_line
from sohoa.training.align import label_words, make_transform


def words_of(lines):
    out = []
    for li, (text, box, role) in enumerate(lines):
        for t, b in split_line(text, box):
            out.append({"text": t, "bbox": b, "role": role, "line": (0, li)})
    return out


def test_field_words_found_despite_ocr_noise_and_printed_labels():
    lines = [("Số: 123/GP-SYT", [100, 100, 300, 120], "number"),
             ("Địa chỉ: Số 5 đường Lê Lợi,", [100, 200, 600, 220], "form_line"),
             ("phường Bến Thành, Quận 1", [100, 230, 500, 250], "form_line"),
             ("Điện thoại: 0905.123.456", [100, 260, 500, 280], "form_line")]
    words = words_of(lines)
    words[7]["text"] = "Bên"  # OCR dropped a tone mark in "Bến"
    fields = [{"name": "document_number", "text": "Số: 123/GP-SYT", "bbox": [100, 100, 300, 120]},
              # the union box of a two-line value also covers the printed label "Địa chỉ:"
              {"name": "address", "text": "Số 5 đường Lê Lợi, phường Bến Thành, Quận 1", "bbox": [100, 200, 600, 250]}]
    gt_lines = [{"text": t, "bbox": b, "block": r} for t, b, r in lines]
    tags, roles = label_words(words, fields, gt_lines)
    text = [w["text"] for w in words]
    addr = [t for t, g in zip(text, tags) if g.endswith("address")]
    assert addr[0] == "Số" and "Địa" not in addr and "chỉ:" not in addr
    assert "Bên" in addr and addr[-1] == "1"
    assert tags[text.index("Số:")] == "B-document_number"
    assert [g for g in tags if g.startswith("B-")] == ["B-document_number", "B-address"]
    assert roles[0] == "number" and roles[-1] == "form_line"
    assert all(g == "O" for t, g in zip(text, tags) if t in ("Điện", "thoại:"))


def test_transform_follows_deskew():
    gt_page = {"width": 1000, "height": 1400, "dpi": 150}
    same = make_transform(gt_page, {"width": 1000, "height": 1400, "dpi": 150, "rotation": 0, "skew": 0.0}, False)
    assert [round(v) for v in same([10, 20, 30, 40])] == [10, 20, 30, 40]
    skewed = make_transform(gt_page, {"width": 1024, "height": 1417, "dpi": 150, "rotation": 0, "skew": 1.0}, False)
    x0, y0, x1, y1 = skewed([400, 700, 600, 720])
    assert abs((x0 + x1) / 2 - 512) < 12 and abs((y0 + y1) / 2 - 718) < 12  # centre moves with the canvas
    pdf = make_transform(gt_page, {"width": 2000, "height": 2800, "dpi": 300, "rotation": 0, "skew": 0.0}, True)
    assert [round(v) for v in pdf([10, 20, 30, 40])] == [20, 40, 60, 80]


def test_rule_field_of_words_splits_a_shared_line():
    """Place and date share one line (and one box): each word goes to the field whose value holds
    it; a word inside a box but outside the field's text stays untagged; other pages untouched."""
    from sohoa.models.learned.features import rule_field_of_words

    line = [("Quảng", [10, 10, 50, 20]), ("Ngãi,", [55, 10, 90, 20]), ("ngày", [95, 10, 120, 20]),
            ("29", [125, 10, 140, 20]), ("Lê", [200, 10, 220, 20])]
    words = [{"text": t, "bbox": b} for t, b in line]
    text = "Quảng Ngãi, ngày 29 tháng 9 năm 2022"
    fields = {"issue_date": {"value": "2022-09-29", "text": text, "page": 1, "bbox": [10, 10, 300, 20]},
              "issue_place": {"value": "Quảng Ngãi", "text": text, "page": 1, "bbox": [10, 10, 300, 20]}}
    assert rule_field_of_words(words, fields, 1) == ["issue_place", "issue_place", "issue_date", "issue_date", ""]
    assert rule_field_of_words(words, fields, 2) == [""] * 5
