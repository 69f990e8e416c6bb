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

