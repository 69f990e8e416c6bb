"""Bench metrics against hand-computed cases."""
from __future__ import annotations

import pytest

from sohoa.training import metrics as M


def test_cer_hand_computed():
    assert M.cer("abd", "abc") == pytest.approx(1 / 3)          # one substitution over 3 chars
    assert M.cer("ab", "abc") == pytest.approx(1 / 3)           # one deletion
    assert M.cer("abcx", "abc") == pytest.approx(1 / 3)         # one insertion
    assert M.cer("", "abcd") == 1.0
    assert M.cer("anything", "") == 8.0                         # len(gt) floored at 1
    # white space is folded (line breaks included); case and diacritics count
    assert M.cer("Sở  Y tế\nBắc Ninh", "Sở Y tế Bắc Ninh") == 0.0
    assert M.cer("Sở Y tê", "Sở Y tế") == pytest.approx(1 / 7)
    assert M.cer("SỞ Y TẾ", "Sở Y tế") == pytest.approx(3 / 7)
    # NFD input is composed first: "ế" decomposed is one character after NFC
    assert M.cer("Sở Y te\u0302\u0301", "Sở Y tế") == 0.0


def test_wer_hand_computed():
    assert M.wer("một hai ba", "một hai bốn") == pytest.approx(1 / 3)
    assert M.wer("một ba", "một hai ba") == pytest.approx(1 / 3)
    assert M.wer("một  hai\nba", "một hai ba") == 0.0
    s = M.text_score("a b c d", "a x c")
    assert (s.word_edits, s.word_total) == (2, 3)               # substitute b→x, insert d


def test_aggregate_text_mean_and_micro():
    scores = [M.text_score("abd", "abc"), M.text_score("a", "abcdefghij")]   # 1/3 and 9/10
    agg = M.aggregate_text(scores)
    assert agg["cer_mean"] == pytest.approx((1 / 3 + 9 / 10) / 2)
    assert agg["cer_micro"] == pytest.approx((1 + 9) / (3 + 10))
    assert agg["chars"] == 13 and agg["n"] == 2


def test_values_match_strict_and_soft():
    assert M.values_match("SỞ Y TẾ", "Sở Y tế")                 # case-folded
    assert M.values_match(" Sở  Y tế ", "Sở Y tế")              # white space folded
    assert not M.values_match("Sở Y te", "Sở Y tế")
    assert M.values_match("Sở Y te", "Sở Y tế", soft=True)      # 1 edit in 7: similarity 0.857
    assert not M.values_match("Sở Tư pháp", "Sở Y tế", soft=True)
    assert M.SOFT_THRESHOLD == 0.8


def test_field_precision_recall_f1():
    fs = M.FieldScores()
    # doc 1: number right, date wrong, name missed, extra phone predicted
    fs.add({"document_number": "12/QĐ-UBND", "issue_date": "2024-03-12", "phone": "0905123456"},
           {"document_number": "12/QĐ-UBND", "issue_date": "2024-03-13", "holder_name": "Lê Văn A"})
    # doc 2: number right, name right
    fs.add({"document_number": "7/GP-SYT", "holder_name": "Trần Thị B"},
           {"document_number": "7/GP-SYT", "holder_name": "trần thị b"})
    r = fs.report()["strict"]
    dn = r["per_field"]["document_number"]
    assert (dn["tp"], dn["fp"], dn["fn"], dn["f1"]) == (2, 0, 0, 1.0)
    d = r["per_field"]["issue_date"]
    assert (d["tp"], d["fp"], d["fn"]) == (0, 1, 1) and d["precision"] == 0.0 and d["f1"] == 0.0
    h = r["per_field"]["holder_name"]
    assert (h["tp"], h["fp"], h["fn"]) == (1, 0, 1) and h["precision"] == 1.0 and h["recall"] == 0.5
    assert h["f1"] == pytest.approx(2 / 3)
    p = r["per_field"]["phone"]
    assert (p["tp"], p["fp"], p["fn"]) == (0, 1, 0) and p["recall"] is None and p["f1"] is None
    micro = r["micro"]  # tp 3, fp 2, fn 2
    assert (micro["tp"], micro["fp"], micro["fn"]) == (3, 2, 2)
    assert micro["precision"] == pytest.approx(3 / 5) and micro["recall"] == pytest.approx(3 / 5)
    assert micro["f1"] == pytest.approx(3 / 5)
    # soft: the date 2024-03-12 vs 2024-03-13 is 1 edit in 10 → similarity 0.9 → a match
    soft = fs.report()["soft"]["per_field"]["issue_date"]
    assert (soft["tp"], soft["fp"], soft["fn"]) == (1, 0, 0)


def test_confusion_matrix():
    pairs = [("license", "license"), ("license", "certificate"), ("decision", "decision"),
             ("official_letter", "decision")]
    c = M.confusion(pairs, ["license", "certificate", "decision", "official_letter", "other"])
    assert c["accuracy"] == 0.5 and c["n"] == 4
    assert c["matrix"]["license"] == {"license": 1, "certificate": 1, "decision": 0, "official_letter": 0, "other": 0}
    assert c["matrix"]["official_letter"]["decision"] == 1
    assert sum(sum(row.values()) for row in c["matrix"].values()) == 4
    assert M.confusion([])["accuracy"] is None
    assert "x" in M.confusion([("x", "y")])["labels"]


def test_order_free_word_scores():
    s = M.text_score("ba hai một một", "một hai ba")     # all words found, one extra
    assert (s.words_matched, s.words_predicted, s.word_total) == (3, 4, 3)
    agg = M.aggregate_text([s, M.text_score("x", "y z")])
    assert agg["bow_recall"] == pytest.approx(3 / 5) and agg["bow_precision"] == pytest.approx(3 / 5)
    assert M.wer("ba hai một", "một hai ba") == pytest.approx(2 / 3)   # order matters to WER


def test_paired_difference_says_which_gains_are_clearly_above():
    """A paired bootstrap over documents: a gain on many documents is clearly above, one paper's
    gain is within the noise, and the same rows differ by nothing."""
    from sohoa.training.metrics import paired_difference, strict_counts

    assert strict_counts({"a": "X", "b": "y"}, {"a": "x", "c": "z"}) == (1, 1, 1)
    base = [(True, 3, 1, 1)] * 100 + [(False, 2, 2, 2)] * 100
    better = [(True, 4, 0, 0)] * 100 + [(True, 3, 1, 1)] * 100
    p = paired_difference(base, better)
    assert p["documents"] == 200
    assert p["doc_type_accuracy"]["difference"] == pytest.approx(0.5) and p["doc_type_accuracy"]["clearly_above"]
    assert p["strict_f1"]["difference"] > 0 and p["strict_f1"]["ci95"][0] > 0 and p["strict_f1"]["clearly_above"]
    one_paper = [(True, 3, 1, 1)] * 100 + [(True, 2, 2, 2)] + [(False, 2, 2, 2)] * 99
    q = paired_difference(base, one_paper)
    assert q["doc_type_accuracy"]["difference"] == pytest.approx(0.005) and not q["doc_type_accuracy"]["clearly_above"]
    same = paired_difference(base, base)
    assert same["strict_f1"] == {"difference": 0.0, "ci95": [0.0, 0.0], "clearly_above": False}
    with pytest.raises(ValueError):
        paired_difference(base, better[:10])
