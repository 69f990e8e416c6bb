"""CER of the exported recognizer on the data generator's own line crops (``sohoa data generate``
→ DIR/lines, an HF dataset with image + text), a held-out set rendered by a different renderer
(whole degraded pages) from the one the recognizer was trained on.

    python -m sohoa.training.recognizer.eval_lines datasets/gen1000/lines --split test --n 2000 --lm 0,0.5
"""
from __future__ import annotations

import json
import random

import click
import numpy as np


def load_lines(lines_dir: str, split: str, n: int) -> tuple[list[np.ndarray], list[str]]:
    """A seeded sample of ``n`` line crops (grey) and their NFC texts from a line dataset split."""
    import datasets

    from sohoa.training.recognizer.charset import normalize_text
    ds = datasets.load_from_disk(lines_dir)[split]
    idx = list(range(len(ds)))
    random.Random(0).shuffle(idx)
    imgs, texts = [], []
    for i in idx[:n]:
        row = ds[i]
        im = np.asarray(row["image"].convert("L"))
        t = normalize_text(row["text"])
        if t and im.shape[0] >= 4 and im.shape[1] >= 4:
            imgs.append(im)
            texts.append(t)
    return imgs, texts


def error_kinds(pairs) -> dict[str, int]:
    """What the edits between (hypothesis, reference) lines are, counted by kind: ``mark`` (the
    right base letter with another tone or vowel mark: ả/á, ô/ơ), ``case``, ``letter``, ``digit``,
    ``punct`` for substitutions, and ``missing``/``extra`` characters (spaces apart: ``space``).
    Vietnamese errors are mostly marks; this tells a data scientist whether more training, a
    lexicon or better renders would pay."""
    import unicodedata
    from collections import Counter

    from rapidfuzz.distance import Levenshtein

    def base(c: str) -> str:
        return unicodedata.normalize("NFD", c)[0].replace("đ", "d").replace("Đ", "D")

    out: Counter = Counter()
    for hyp, ref in pairs:
        for kind, i, j in Levenshtein.editops(ref, hyp):
            if kind == "replace":
                a, b = ref[i], hyp[j]
                if a.lower() == b.lower():
                    out["case"] += 1
                elif base(a).lower() == base(b).lower():
                    out["mark"] += 1
                elif a.isdigit() or b.isdigit():
                    out["digit"] += 1
                elif a.isalpha() and b.isalpha():
                    out["letter"] += 1
                else:
                    out["punct"] += 1
            else:
                c = ref[i] if kind == "delete" else hyp[j]
                out["space" if c == " " else "missing" if kind == "delete" else "extra"] += 1
    return dict(out.most_common())


@click.command()
@click.argument("lines_dir")
@click.option("--split", default="test")
@click.option("--n", type=int, default=2000)
@click.option("--lm", default="0,0.5", help="Comma-separated LM weights to compare.")
@click.option("--model", default=None)
def main(lines_dir: str, split: str, n: int, lm: str, model: str | None) -> None:
    from rapidfuzz.distance import Levenshtein

    from sohoa.models.ocr.recognizer import LineRecognizer
    imgs, texts = load_lines(lines_dir, split, n)
    out = {}
    for w in [float(x) for x in lm.split(",")]:
        rec = LineRecognizer(model, lm_weight=w)
        hyps = rec.recognize_lines(imgs)
        errs = sum(Levenshtein.distance(h.text, t) for h, t in zip(hyps, texts))
        total = sum(len(t) for t in texts)
        out[str(w)] = {"cer": errs / total, "line_acc": sum(h.text == t for h, t in zip(hyps, texts)) / len(texts),
                       "lines": len(texts)}
        click.echo(f"lm={w}: {json.dumps(out[str(w)])}")


if __name__ == "__main__":
    main()
