"""The line-level repair: word pairs fix stacked marks the recognizer read with confidence."""
from sohoa.models.ocr.syllables import Syllables
from sohoa.models.ocr.word_lm import WordLMWeights, _stacked_confusion, compound_pairs, repair_line


def sure(text: str) -> list[dict[str, float]]:
    """Alternatives of a recognizer that is certain of every character it read (spaces too)."""
    return [{c: 0.99} for c in text]


def test_the_committed_word_list_is_loaded():
    pairs = compound_pairs()
    assert len(pairs) > 50000 and ("tốt", "nghiệp") in pairs and ("phổ", "thông") in pairs


def test_stacked_confusions_only():
    assert _stacked_confusion("ó", "ố") and _stacked_confusion("è", "ề") and _stacked_confusion("ô", "ổ")
    assert _stacked_confusion("ầ", "ẩ") and _stacked_confusion("ắ", "ấ")
    assert not _stacked_confusion("ở", "ố")   # sở/số: a hook, not a hat
    assert not _stacked_confusion("ú", "ừ")   # Tú/Từ
    assert not _stacked_confusion("á", "a")   # a plain tone is not stacked


def test_pairs_repair_what_the_syllables_alone_cannot():
    syl = Syllables()
    # every syllable here is valid on its own; only the pairs say what was printed
    assert repair_line("thi tót nghiệp trung học phô thông", sure("thi tót nghiệp trung học phô thông"),
                       syl) == "thi tốt nghiệp trung học phổ thông"
    assert repair_line("khi cằn thiết", sure("khi cằn thiết"), syl) == "khi cần thiết"
    # upper case keeps its case; punctuation stays where it was
    assert repair_line("GIÁM ĐÓC, tình huông.", sure("GIÁM ĐÓC, tình huông."), syl) == "GIÁM ĐỐC, tình huống."


def test_what_is_left_alone():
    syl = Syllables()
    for line in ["Số: 1906/SGDĐT-CTrTT", "UBND TỈNH SÓC TRĂNG", "Nguyễn Cẩm Tú", "báo cáo cấp trên"]:
        assert repair_line(line, sure(line), syl) == line
    # without the pair bonus, a confident reading of a valid syllable stays
    assert repair_line("tót nghiệp", sure("tót nghiệp"), syl, WordLMWeights(pair_bonus=0.0)) == "tót nghiệp"
    # a comma breaks the chain: no pair across it
    assert repair_line("tót, nghiệp", sure("tót, nghiệp"), syl) == "tót, nghiệp"


def test_a_family_name_misread_at_a_stacked_mark():
    syl = Syllables()
    # the recognizer is sure of every letter: a stacked mark of a family name is still read as it
    for read, want in [("Nguyên Hải Linh", "Nguyễn Hải Linh"), ("Lế Văn Đông", "Lê Văn Đông"),
                       ("Ông Đổ Hải Linh", "Ông Đỗ Hải Linh")]:
        assert repair_line(read, sure(read), syl) == want
    # not a name (one capitalised syllable, or not opening the run), or not a stacked confusion
    for line in ["Nguyên tắc chung", "Hộ kinh doanh", "ông Trần Nguyên Hãn", "Vụ Pháp Chế", "Phạn Thu Anh"]:
        assert repair_line(line, sure(line), syl) == line


def test_spellings_are_memoised_and_bounded():
    from sohoa.models.ocr.syllables import Syllables, _same_d
    syl = Syllables()
    for low in ["tot", "nguyên", "đươc", "xyz"]:
        want = [c for c in syl.candidates(low) if len(c) == len(low) and _same_d(c, low)]
        if syl.valid(low) and low not in want:
            want.append(low)
        assert syl.spellings(low) == want and syl.spellings(low) is syl.spellings(low)
    assert "tốt" in syl.spellings("tot") and "nguyễn" in syl.spellings("nguyên")
    assert all(c.startswith("đ") for c in syl.spellings("đươc"))  # the bar is a letter, not a mark
    syl._spellings.update({str(i): [] for i in range(200_000)})
    syl.spellings("hoa")  # a full memo starts over rather than growing without end
    assert len(syl._spellings) == 1
