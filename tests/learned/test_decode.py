"""BIO decoding: word label probabilities -> field spans."""
import numpy as np

from sohoa.models.learned.decode import Span, best_spans, decode_bio, join_list_spans, union_box
from sohoa.models.learned.features import bio_labels

LABELS = bio_labels(["document_number", "title"])  # O, B-dn, I-dn, B-title, I-title


def probs(tags, conf=0.9):
    p = np.full((len(tags), len(LABELS)), (1 - conf) / (len(LABELS) - 1))
    for i, t in enumerate(tags):
        p[i, LABELS.index(t)] = conf
    return p


def test_spans_open_continue_and_close():
    tags = ["O", "B-document_number", "I-document_number", "O", "B-title", "I-title", "I-title"]
    spans = decode_bio(probs(tags), LABELS)
    assert [(s.name, s.words) for s in spans] == [("document_number", [1, 2]), ("title", [4, 5, 6])]
    assert all(0.0 <= s.confidence <= 1.0 for s in spans)


def test_orphan_inside_opens_a_span_and_type_change_splits():
    tags = ["I-title", "I-title", "I-document_number"]
    spans = decode_bio(probs(tags), LABELS)
    assert [(s.name, s.words) for s in spans] == [("title", [0, 1]), ("document_number", [2])]


def test_gap_bridges_one_stray_word_and_keeps_it_in_the_value():
    tags = ["B-title", "O", "I-title", "O", "O", "I-title"]
    spans = decode_bio(probs(tags), LABELS, gap=1)
    # the bridged word is part of the value (a house number missed inside an address) ...
    assert [(s.name, s.words) for s in spans] == [("title", [0, 1, 2]), ("title", [5])]
    # ... but not of its confidence, which only the words tagged with the field make
    assert spans[0].confidence == decode_bio(probs(["B-title", "I-title"]), LABELS)[0].confidence


def test_best_span_per_field_and_union_box():
    a, b = decode_bio(probs(["B-title"], 0.6), LABELS)[0], decode_bio(probs(["B-title"], 0.95), LABELS)[0]
    best = best_spans([(0, a), (1, b)])
    assert best["title"][0] == 1
    assert union_box([(10, 20, 30, 40), (5, 25, 50, 35)]) == (5, 20, 50, 40)


def test_listed_items_join_into_one_recipient_span():
    """Each item of a "Kính gửi" list may open with its own B-: the value is the whole list."""
    spans = [Span("recipient", [3, 4, 5], 0.6), Span("recipient", [6, 7], 0.9), Span("recipient", [9], 0.9),
             Span("recipient", [20, 21], 0.9), Span("title", [22], 0.9), Span("title", [23], 0.9)]
    joined = join_list_spans(spans)
    assert [(s.name, s.words) for s in joined] == [("recipient", [3, 4, 5, 6, 7, 8, 9]), ("recipient", [20, 21]),
                                                   ("title", [22]), ("title", [23])]
    assert abs(joined[0].confidence - (0.6 * 3 + 0.9 * 2 + 0.9) / 6) < 1e-9


def test_snapped_spans_fill_their_lines_but_not_other_fields():
    """A title span missing its line's first word takes it in; a word tagged with another field on
    the same line stays out; two spans of one line become one."""
    from sohoa.models.learned.decode import snap_to_lines

    lines = [0, 0, 0, 0, 1, 1, 1, 2]
    tagged = [None, "title", "title", None, "subject", None, "title", None]
    spans = [Span("title", [1, 2], 0.8), Span("subject", [4], 0.9), Span("title", [6], 0.7)]
    out = snap_to_lines(spans, lines, tagged, names=("title",))
    assert [(s.name, s.words) for s in out] == [("title", [0, 1, 2, 3]), ("subject", [4]), ("title", [5, 6])]
    assert out[0].confidence == 0.8
    # the same line touched twice: one span
    out = snap_to_lines([Span("title", [0], 0.6), Span("title", [2], 0.9)], [0, 0, 0], [None] * 3, names=("title",))
    assert [(s.name, s.words) for s in out] == [("title", [0, 1, 2])]
    # fields not named are left as they are
    assert snap_to_lines(spans, lines, tagged, names=()) == spans


def test_an_address_cut_inside_its_province_is_completed():
    from sohoa.models.learned.decode import extend_to_province

    words = "Số 12 Lê Lợi, huyện Nghĩa Hành, tỉnh Quảng Ngãi Điện thoại: 0912".split()
    cut = Span("address", list(range(words.index("Quảng") + 1)), 0.8)
    done = extend_to_province(cut, words)
    assert " ".join(words[w] for w in done.words).endswith("tỉnh Quảng Ngãi") and done.confidence == 0.8
    # a whole province, a city inside a province, a span ending at a comma: left as they are
    whole = Span("address", list(range(words.index("Ngãi") + 1)), 0.8)
    assert extend_to_province(whole, words) == whole
    city = "Số 3, thành phố Thủ Dầu Một, tỉnh Bình Dương".split()
    assert extend_to_province(Span("address", [0, 1, 2, 3, 4], 0.8), city).words == [0, 1, 2, 3, 4]
    comma = "thôn Đông, tỉnh Hòa, Bình".split()
    assert extend_to_province(Span("address", [0, 1, 2, 3], 0.8), comma).words == [0, 1, 2, 3]


def test_an_address_whose_line_ends_takes_the_next_line_up_to_its_province():
    from sohoa.models.learned.decode import complete_address

    first = "Địa chỉ: 150 Phạm Văn Đồng, xã Phú Mỹ Hưng, huyện Củ".split()
    second = "Chi, thành phố Hồ Chí Minh".split()
    words = first + second + "Mã số doanh nghiệp: 7966263824".split()
    lines = [0] * len(first) + [1] * len(second) + [2] * 4
    tagged = [None] * len(words)
    cut = Span("address", list(range(2, len(first))), 0.7)
    done = complete_address(cut, words, lines, tagged)
    assert " ".join(words[w] for w in done.words).endswith("huyện Củ Chi, thành phố Hồ Chí Minh")
    assert done.confidence == 0.7
    # left as it is: a span that ends in its province, one that stops inside its line, a next line
    # another field claims or that reaches no province
    whole = Span("address", list(range(2, len(first) + len(second))), 0.7)
    assert complete_address(whole, words, lines, tagged) == whole
    inside = Span("address", list(range(2, len(first) - 1)), 0.7)
    assert complete_address(inside, words, lines, tagged) == inside
    claimed = tagged[:len(first)] + ["holder_name"] + tagged[len(first) + 1:]
    assert complete_address(cut, words, lines, claimed) == cut
    other = first + "Chi Mã số: 12".split()
    assert complete_address(cut, other, [0] * len(first) + [1] * 4, [None] * len(other)) == cut


def test_a_span_holding_its_labels_tail_starts_after_the_colon():
    from sohoa.models.learned.decode import after_label

    words = "Địa chỉ người phụ thuộc: 33A Ỷ Lan, xã Hòa Định Đông".split()
    sp = Span("address", list(range(3, len(words))), 0.9)
    assert [words[w] for w in after_label(sp, words).words][0] == "33A"
    # only fields whose values hold no colon; a colon as the last word is left to the normalizer
    assert after_label(Span("document_number", sp.words, 0.9), words).words == sp.words
    assert after_label(Span("address", [3, 4], 0.9), words).words == [3, 4]
