from sohoa.models.layout import analyze, split_at_gaps
from sohoa.models.ocr.base import OcrLine

from sohoa_testkit import H, W  # noqa: F401 (test_rules imports them from here)
from sohoa_testkit import letter_ocr_lines as _letter_lines
from sohoa_testkit import ocr_line as line


def test_two_column_header_lines_are_split():
    parts = split_at_gaps([_letter_lines()[0]])
    assert [p.text for p in parts] == ["UBND TỈNH NINH THUẬN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]


def test_motto_split_even_without_a_wide_gap():
    tight = line(80, (100, "UBND THÀNH PHỐ ĐÀ NẴNG _ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert [p.text for p in split_at_gaps([tight])] == ["UBND THÀNH PHỐ ĐÀ NẴNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]


def test_roles_and_reading_order():
    blocks = analyze(_letter_lines(), W, H, stamps=[(650, 600, 850, 800)])
    order = [(b.type, " / ".join(ln.text for ln in b.lines)) for b in blocks]
    assert order == [
        ("agency_header", "UBND TỈNH NINH THUẬN / SỞ Y TẾ"),
        ("number", "Số: 12/SYT-NVY"),
        ("subject", "V/v kiểm tra an toàn thực phẩm"),
        ("national_motto", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc"),
        ("place_date", "Ninh Thuận, ngày 12 tháng 3 năm 2024"),
        ("recipients", "Kính gửi: Các bệnh viện trực thuộc Sở"),
        ("body", "Thực hiện chỉ đạo của Bộ Y tế về bảo đảm an toàn thực phẩm, Sở Y tế đề nghị / "
                 "các đơn vị tăng cường kiểm tra các cơ sở sản xuất thực phẩm."),
        ("distribution", "Nơi nhận: / - Như trên; / - Lưu: VT."),
        ("signature_block", "GIÁM ĐỐC / Nguyễn Thị Minh Thư"),
        ("stamp", ""),
    ]


def _titled_head(agency: str, number: str, place: str, name: str) -> list[OcrLine]:
    """The header of a paper with a name (decision, plan, record): agency, motto, number and
    date, and the name centred below."""
    return [
        line(80, (120, "ỦY BAN NHÂN DÂN"), (640, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        line(115, (110, agency), (680, "Độc lập - Tự do - Hạnh phúc")),
        line(180, (180, f"Số: {number}"), (660, f"{place}, ngày 5 tháng 5 năm 2025")),
        line(300, (540, name)),
    ]


def _roles(lines: list[OcrLine]) -> dict[str, str]:
    return {b.type: " / ".join(ln.text for ln in b.lines) for b in analyze(lines, W, H)}


def test_title_and_decision_subject():
    lines = _titled_head("TỈNH QUẢNG NGÃI", "86/QĐ-UBND", "Quảng Ngãi", "QUYẾT ĐỊNH") + [
        line(340, (400, "Về việc bổ nhiệm ngạch thanh tra viên")),
        line(420, (300, "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")),
        line(480, (110, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")),
    ]
    roles = _roles(lines)
    assert roles["title"] == "QUYẾT ĐỊNH"
    assert roles["subject"] == "Về việc bổ nhiệm ngạch thanh tra viên"
    assert roles["agency_header"] == "ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI"


def test_summary_under_a_plan_title_is_its_subject():
    """A plan or report has no "V/v": its summary is the short centred line under its name;
    the preamble under a licence's name is not."""
    head = _titled_head("HUYỆN ĐÔNG ANH", "12/KH-UBND", "Đông Anh", "KẾ HOẠCH")
    plan = head + [
        line(340, (330, "Triển khai công tác chuyển đổi số năm 2025")),
        line(440, (110, "Thực hiện Nghị quyết của Huyện ủy, Ủy ban nhân dân huyện ban hành kế hoạch")),
    ]
    assert _roles(plan)["subject"] == "Triển khai công tác chuyển đổi số năm 2025"
    licence = head + [line(340, (330, "Xét đề nghị của Hội đồng tư vấn cấp chứng chỉ"))]
    assert "subject" not in _roles(licence)


def test_noise_lines_dropped():
    blocks = analyze([line(100, (100, "— _ ~")), line(140, (100, "Nội dung"))], W, H)
    assert [ln.text for b in blocks for ln in b.lines] == ["Nội dung"]


def test_ruled_table_and_photo_box_found_from_the_image():
    import numpy as np
    from PIL import Image, ImageDraw

    from sohoa.models.regions import find_regions

    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    for y in (600, 660, 720, 780):                      # a 3-row, 3-column bordered table
        d.line((150, y, 1100, y), fill=0, width=2)
    for x in (150, 500, 800, 1100):
        d.line((x, 600, x, 780), fill=0, width=2)
    d.rectangle((150, 200, 327, 436), outline=0, width=2)  # a 3×4 cm photo frame at 150 dpi
    tables, photos = find_regions(np.asarray(img), 150, text_boxes=[])
    assert len(tables) == 1 and abs(tables[0][0] - 150) <= 3 and abs(tables[0][3] - 780) <= 3
    assert len(photos) == 1 and abs(photos[0][1] - 200) <= 3

    cells = [line(615, (170, "Họ và tên"), (520, "Chức danh")), line(675, (170, "Trần Văn A"), (520, "Bác sỹ"))]
    blocks = analyze(cells, W, H, tables=tables, photos=photos)
    assert [b.type for b in blocks] == ["table", "photo"]
    assert [ln.text for ln in blocks[0].lines] == ["Họ và tên", "Chức danh", "Trần Văn A", "Bác sỹ"]


def test_summary_does_not_take_the_body_line_below_it():
    lines = _titled_head("HUYỆN ĐÔNG ANH", "12/BB-UBND", "Đông Anh", "BIÊN BẢN") + [
        line(340, (380, "Kiểm tra điều kiện an toàn thực phẩm")),
        line(372, (110, "Hôm nay, vào hồi 7 giờ ngày 07 tháng 7 năm 2017, tại cơ sở, Đoàn kiểm tra gồm")),
    ]
    assert _roles(lines)["subject"] == "Kiểm tra điều kiện an toàn thực phẩm"


def test_a_page_frame_is_not_a_table():
    """A border drawn round the page encloses the motto's underline and other rules; only a
    component's own rulings make it a table."""
    import numpy as np
    from PIL import Image, ImageDraw

    from sohoa.models.regions import find_regions

    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    d.rectangle((60, 60, 1180, 1694), outline=0, width=3)   # the frame
    for y in (160, 420, 900):                                # rules inside it, touching nothing
        d.line((700, y, 1000, y), fill=0, width=2)
    d.line((300, 500, 300, 700), fill=0, width=2)
    tables, photos = find_regions(np.asarray(img), 150, text_boxes=[])
    assert tables == [] and photos == []


def test_an_agency_glued_to_the_motto_is_cut_before_it():
    # the detector joined the two header columns and the recognizer read no space between them
    glued = line(80, (120, "SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNHCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    rows = [ln.text for ln in split_at_gaps([glued])]
    assert rows == ["SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]


def test_a_continuation_page_may_open_with_the_signature():
    lines = [line(40, (600, "2")),
             line(120, (120, "Nơi nhận:"), (760, "KT. GIÁM ĐỐC")),
             line(150, (120, "- Như trên;"), (740, "PHÓ GIÁM ĐỐC")),
             line(180, (120, "- Lưu: VT."), ),
             line(330, (760, "Lê Khắc Lực"))]
    roles = {b.type: " / ".join(ln.text for ln in b.lines) for b in analyze(lines, W, H)}
    assert roles["signature_block"] == "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / Lê Khắc Lực"
    assert roles["distribution"].startswith("Nơi nhận:")


def test_a_long_summary_keeps_equal_insets_from_the_text_column():
    body = "Nâng cao nhận thức của cán bộ, công chức, viên chức và người dân về pháp luật"
    summary = "Tổ chức tuyên truyền, phổ biến giáo dục pháp luật cho nhân dân năm 2025"
    inset = (14 * len(body) - 14 * len(summary)) // 2  # centred in the column the body fills
    lines = _titled_head("HUYỆN ĐÔNG ANH", "12/KH-UBND", "Đông Anh", "KẾ HOẠCH") + [
        line(340, (110 + inset, summary)),
        line(420, (110, "I. MỤC ĐÍCH, YÊU CẦU")),
        line(460, (110, body)), line(500, (110, body)), line(540, (110, body)),
    ]
    assert _roles(lines)["subject"] == summary
    # an indented first line of a paragraph is no summary: its insets differ
    indented = _titled_head("HUYỆN ĐÔNG ANH", "12/KH-UBND", "Đông Anh", "KẾ HOẠCH") + [
        line(340, (110 + 2 * inset, summary)), line(380, (110, body)), line(420, (110, body)), line(460, (110, body))]
    assert "subject" not in _roles(indented)



def test_a_form_lines_wrapped_value_is_read_right_after_it():
    """Body text above and below a form line whose value wraps: the wrapped line is read after its
    form line, not with the body above it (fresh20: the model read "…, huyện Củ" as the whole
    address because "Chi, thành phố Hồ Chí Minh" came before the form line in reading order)."""
    lines = [
        line(420, (110, "Đồng ý để đơn vị nhập khẩu các trang thiết bị y tế dưới đây:")),
        line(460, (110, "Địa chỉ đơn vị nhập khẩu: 150 Phạm Văn Đồng, xã Phú Mỹ Hưng, huyện Củ")),
        line(500, (110, "Chi, thành phố Hồ Chí Minh")),
        line(540, (110, "Mã số doanh nghiệp: 7966263824")),
        line(590, (110, "1. Máy thở chức năng cao dùng cho người lớn và trẻ em;")),
    ]
    texts = [ln.text for b in analyze(lines, W, H) for ln in b.lines]
    assert texts == [ln.text for ln in lines]
