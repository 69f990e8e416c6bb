"""The form-line shuffle keeps each line whole and its labels with its words."""
import random

from sohoa_testkit import prepared_page

from sohoa.training.page_augment import shuffle_form_lines


def _page():
    # header line, three labelled form lines, a two-line address (not self-contained), the place
    # and date (a field of the Decree 30 anatomy), signature
    lines = [
        ("title", [("GIẤY", "O"), ("PHÉP", "O")]),
        ("form_line", [("Họ", "O"), ("tên:", "O"), ("Lê", "B-holder_name"), ("An", "I-holder_name")]),
        ("form_line", [("Số", "O"), ("CCCD:", "O"), ("001", "B-personal_id")]),
        ("form_line", [("Điện", "O"), ("thoại:", "O"), ("0905", "B-phone")]),
        ("form_line", [("Địa", "O"), ("chỉ:", "O"), ("Số", "B-address"), ("5,", "I-address")]),
        ("form_line", [("Hải", "I-address"), ("Châu", "I-address")]),
        ("body", [("Hà", "B-issue_place"), ("Nội,", "I-issue_place")]),
        ("signature_block", [("GIÁM", "O"), ("ĐỐC", "O")]),
    ]
    return prepared_page(lines)


def _lines(ex):
    out = {}
    for w, tag, key, box in zip(ex["words"], ex["field_tags"], ex["lines"], ex["boxes"]):
        out.setdefault(tuple(key), []).append((w, tag, box[1]))
    return out


def test_only_self_contained_form_lines_move_and_stay_whole():
    ex = _page()
    moved = shuffle_form_lines(ex, random.Random(3), p=1.0)
    assert moved is not ex and sorted(moved["words"]) == sorted(ex["words"])
    before, after = _lines(ex), _lines(moved)
    # every line keeps its words and their labels, in order, on one row
    for key, ws in before.items():
        assert [(w, t) for w, t, _ in after[key]] == [(w, t) for w, t, _ in ws]
        assert len({y for *_, y in after[key]}) == 1
    rows = {key: ws[0][2] for key, ws in after.items()}
    # title, the two address lines, the place line and the signature stay where they were
    for fixed in [(0, 0), (4, 0), (5, 0), (6, 0), (7, 0)]:
        assert rows[fixed] == before[fixed][0][2]
    # the three self-contained lines took each other's rows, and the reading order follows the rows
    assert sorted(rows[(k, 0)] for k in (1, 2, 3)) == [100, 200, 300]
    assert [rows[(k, 0)] for k in (1, 2, 3)] != [100, 200, 300]
    order = [tuple(k) for k in moved["lines"]]
    firsts = list(dict.fromkeys(order))
    assert [rows[k] for k in firsts] == sorted(rows[k] for k in firsts)
    # pixel boxes moved with the normalized ones
    for b, q in zip(moved["boxes"], moved["px_boxes"]):
        assert q[1] == 2 * b[1]


def test_no_shuffle_without_chance_or_candidates():
    ex = _page()
    assert shuffle_form_lines(ex, random.Random(0), p=0.0) is ex
    one = {k: v[:6] for k, v in _page().items()}  # title + one form line only
    assert shuffle_form_lines(one, random.Random(0), p=1.0) is one


def test_swap_labels_prints_another_label_of_the_same_field():
    from sohoa.models.fields.labels import labelled_field
    from sohoa.training.page_augment import swap_labels

    ex = _page()
    out = swap_labels(ex, random.Random(1), p=1.0)
    assert out is not ex
    lines = _lines(out)
    for key, field in [((1, 0), "holder_name"), ((2, 0), "personal_id"), ((3, 0), "phone")]:
        ws = lines[key]
        value = [(w, t) for w, t, _ in ws if t != "O"]
        label = " ".join(w for w, t, _ in ws if t == "O")
        assert value == [(w, t) for w, t, _ in _lines(ex)[key] if t != "O"]  # the value is untouched
        assert labelled_field(label) == field and label.endswith(":")
    # lines that are not self-contained form fields keep their words
    for key in [(0, 0), (5, 0), (6, 0), (7, 0)]:
        assert lines[key] == _lines(ex)[key]
    # every list still has one entry per word; new label words lie inside the old label's span
    assert len({len(out[k]) for k in ("words", "boxes", "px_boxes", "input_roles", "lines", "field_tags")}) == 1
    label_boxes = [b for b, t, key in zip(out["boxes"], out["field_tags"], out["lines"]) if key == [2, 0] and t == "O"]
    assert min(b[0] for b in label_boxes) >= 100 and max(b[2] for b in label_boxes) <= 210
    assert swap_labels(ex, random.Random(1), p=0.0) is ex
