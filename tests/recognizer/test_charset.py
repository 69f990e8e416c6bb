import unicodedata

from sohoa.training.recognizer.charset import charset, fold_for_training, vietnamese_letters

ALL_LOWER = ("aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
             "bcdđghklmnpqrstvx")


def test_every_vietnamese_letter_in_both_cases_nfc():
    cs = set(charset())
    for c in ALL_LOWER + ALL_LOWER.upper():
        assert unicodedata.normalize("NFC", c) in cs, c
    assert len(vietnamese_letters()) == 2 * (12 * 6 + 17)
    assert all(unicodedata.is_normalized("NFC", c) and len(c) == 1 for c in charset())


def test_digits_punctuation_and_uniqueness():
    cs = charset()
    assert len(cs) == len(set(cs))
    for c in "0123456789 .,;:-/()%\"'":
        assert c in cs


def test_training_text_is_folded_to_the_charset():
    assert fold_for_training("Độc lập – Tự do — “Hạnh phúc”…") == 'Độc lập - Tự do - "Hạnh phúc"...'
    decomposed = unicodedata.normalize("NFD", "Nghị định")
    assert fold_for_training(decomposed) == "Nghị định"


def test_error_kinds_tells_marks_from_letters():
    from sohoa.training.recognizer.eval_lines import error_kinds

    kinds = error_kinds([("tót nghiệp", "tốt nghiệp"),   # mark
                         ("Dà Nẵng", "Đà Nẵng"),          # đ/d counts as a mark
                         ("HA NOI", "Ha Noi"),            # case: A, O, I
                         ("s6 12", "số 12"),              # a digit for a letter
                         ("Sởy tế", "Sở y tế"),           # a space missing
                         ("abc", "abd")])                 # a letter
    assert kinds["mark"] == 2 and kinds["digit"] == 1 and kinds["space"] == 1 and kinds["letter"] == 1
    assert kinds["case"] == 3
    assert error_kinds([("same", "same")]) == {}
