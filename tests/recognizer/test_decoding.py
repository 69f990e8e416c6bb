import numpy as np
import pytest

from sohoa.models.ocr.ctc import beam_search, char_alternatives, greedy
from sohoa.models.ocr.syllables import Syllables, all_syllables, parse, repair_text, repair_word

CHARS = ["a", "b", "ố", "ô", " "]


def frames(*rows):
    """Rows of (class -> probability); the rest of each row's mass goes to the blank."""
    out = np.zeros((len(rows), len(CHARS) + 1), np.float32)
    for t, r in enumerate(rows):
        for k, p in r.items():
            out[t, k] = p
        out[t, 0] = 1 - sum(r.values())
    return out


def test_greedy_collapses_repeats_and_blanks():
    p = frames({1: .9}, {1: .8}, {}, {1: .9}, {2: .7}, {})
    d = greedy(p, CHARS)
    assert d.text == "aab"
    assert len(d.char_conf) == 3 and d.char_conf[0] == pytest.approx(0.9)
    assert d.char_frame[0] == pytest.approx(0.5)
    assert 0.7 <= d.confidence <= 0.9


def test_beam_sums_paths_where_greedy_does_not():
    # frame-wise best is blank,blank ("" by greedy) but "a" has more total mass over paths
    p = frames({1: .4}, {1: .4})
    assert greedy(p, CHARS).text == ""
    assert beam_search(p, CHARS, width=4).text == "a"


def test_beam_equals_greedy_on_clear_input_and_word_bonus_steers():
    p = frames({1: .95}, {}, {5: .9}, {2: .95})
    assert beam_search(p, CHARS, width=4).text == greedy(p, CHARS).text == "a b"
    q = frames({3: .45, 4: .55})
    assert beam_search(q, CHARS, width=4).text == "ô"
    bonus = lambda w: 0.0 if w == "ố" else -2.0  # noqa: E731
    assert beam_search(q, CHARS, width=4, word_bonus=bonus).text == "ố"


def test_syllable_parse():
    assert parse("nghiệp") == ("ngh", "iêp", "\u0323")
    assert parse("quốc")[:2] == ("qu", "uôc")
    assert parse("gì") is not None and parse("gìn") is not None
    assert parse("tiềp") is None      # a stop final takes only the acute or dot-below tone
    assert parse("hiẹn") is None      # no rhyme "en" after i
    assert parse("cíêm") is None      # two tone marks
    assert parse("kan") is None       # k only before i, e, ê, y
    assert len(all_syllables()) > 15000


def test_repair_words():
    syl = Syllables()
    assert repair_word("tiềp", syl) == "tiếp"
    assert repair_word("NGHỈÊP", syl) == "NGHIỆP"
    assert repair_word("bịên", syl) == "biện"      # misplaced tone mark
    assert repair_word("UBND", syl) == "UBND"      # acronyms untouched
    assert repair_word("Hà", syl) == "Hà"           # valid words untouched
    assert repair_text("Số: 1906/SGDĐT, tiềp theo.", syl) == "Số: 1906/SGDĐT, tiếp theo."


def test_repair_uses_the_recognizer_evidence():
    syl = Syllables()
    # "đươc" is impossible (stop final without tone); the frame says ợ is likely
    alts = [{"đ": .9}, {"ư": .9}, {"ơ": .5, "ợ": .4, "ớ": .05}, {"c": .9}]
    assert repair_word("đươc", syl, alts) == "được"
    probs = np.full((3, len(CHARS) + 1), 0.01, np.float32)
    probs[1, 4] = 0.6
    probs[1, 3] = 0.3
    alt = char_alternatives(probs, [1.0], CHARS, k=3)[0]
    assert max(alt, key=alt.get) == "ô" and "ố" in alt


def test_rescoring_uses_the_prior_only_where_the_frame_hesitates():
    from sohoa.models.ocr.syllables import rescore_word
    syl = Syllables()
    assert syl.zipf, "models/ocr/lexicon/wordfreq_vi.tsv (committed) was not loaded"
    hesitant = [{"c": .99}, {"h": .99}, {"ô": .6, "ố": .3, "ồ": .05}, {"n": .99}, {"g": .99}]
    assert rescore_word("chông", syl, hesitant) == "chống"
    sure = [{"c": .99}, {"h": .99}, {"ô": .999, "ố": .0005}, {"n": .99}, {"g": .99}]
    assert rescore_word("chông", syl, sure) == "chông"
    # upper case: the frame's alternatives are capitals
    caps = [{"N": .99}, {"H": .99}, {"Â": .99, "Ậ": .004, "â": .001}, {"N": .99}]
    assert rescore_word("NHÂN", syl, caps) == "NHÂN"
    # đ and d are different letters, never swapped
    assert rescore_word("đích", syl, [{"đ": .9}, {"í": .9}, {"c": .9}, {"h": .9}]) == "đích"
