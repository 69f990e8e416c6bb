"""Kinds of recognizer error (training/recognizer/eval_lines.py)."""


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
