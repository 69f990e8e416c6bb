"""Choose the weights of the word-level repair (``models/ocr/word_lm.py``) on the generator's
validation lines, and report them on its test lines, against the syllable-only decoding.

The recognizer runs once per line; every weight setting re-decodes the cached frame
probabilities, so a grid costs seconds per point.

    python -m sohoa.training.recognizer.tune_word_lm datasets/gen400/lines --n 1500
"""
from __future__ import annotations

import itertools
import json

import click

from sohoa.training.recognizer.eval_lines import load_lines


def _cer(hyps: list[str], refs: list[str]) -> float:
    from rapidfuzz.distance import Levenshtein
    return sum(Levenshtein.distance(h, r) for h, r in zip(hyps, refs)) / max(1, sum(len(r) for r in refs))


def decoded(rec, imgs):
    """Greedy text and per-character alternatives of each line (the recognizer runs once)."""
    from sohoa.models.ocr.ctc import char_alternatives, greedy
    probs = rec.probabilities([rec.scaled(im) for im in imgs])
    out = []
    for p in probs:
        d = greedy(p, rec.chars)
        out.append((d.text, char_alternatives(p, d.char_frame, rec.chars)))
    return out


def score_grid(dec, refs, grid) -> list[dict]:
    from sohoa.models.ocr.recognizer import _syllables
    from sohoa.models.ocr.syllables import repair_text
    from sohoa.models.ocr.word_lm import WordLMWeights, repair_line
    syl = _syllables()
    rows = [{"decoder": "greedy", "cer": _cer([t for t, _ in dec], refs)},
            {"decoder": "syllable repair + unigram 0.5 (v1 default)",
             "cer": _cer([repair_text(t, syl, a, 0.5) if t else t for t, a in dec], refs)}]
    for uni, bonus, floor in grid:
        w = WordLMWeights(unigram=uni, pair_bonus=bonus, mark_floor=floor)
        rows.append({"decoder": "word_lm", "unigram": uni, "pair_bonus": bonus, "mark_floor": floor,
                     "cer": _cer([repair_line(t, a, syl, w) if t else t for t, a in dec], refs)})
    return rows


@click.command()
@click.argument("lines_dir")
@click.option("--n", type=int, default=1500, help="Lines per split.")
@click.option("--model", default=None, help="Recognizer folder (default: the newest in the zoo).")
def main(lines_dir: str, n: int, model: str | None) -> None:
    from sohoa.models.ocr.recognizer import LineRecognizer
    rec = LineRecognizer(model)
    grid = list(itertools.product([0.5], [0.0, 1.0, 2.0, 3.0, 4.0], [0.001, 0.01, 0.03]))
    imgs, refs = load_lines(lines_dir, "validation", n)
    val = score_grid(decoded(rec, imgs), refs, grid)
    for r in val:
        click.echo(json.dumps(r))
    best = min((r for r in val if r["decoder"] == "word_lm"), key=lambda r: r["cer"])
    click.echo(f"best on validation: {json.dumps(best)}")
    imgs, refs = load_lines(lines_dir, "test", n)
    test = score_grid(decoded(rec, imgs), refs, [(best["unigram"], best["pair_bonus"], best["mark_floor"])])
    for r in test:
        click.echo("test " + json.dumps(r))


if __name__ == "__main__":
    main()
