"""Convert the data generator's line crops (``sohoa data generate`` → DIR/lines, HF dataset) into
the recognizer's line cache (.npz, height 48), e.g. to add them to training (train split only).

    python -m sohoa.training.recognizer.gen_lines_cache datasets/gen1000/lines --split train --out .rec/extra_gen.npz
"""
from __future__ import annotations

from pathlib import Path

import click
import numpy as np


@click.command()
@click.argument("lines_dir")
@click.option("--split", default="train")
@click.option("--out", required=True)
def main(lines_dir: str, split: str, out: str) -> None:
    import datasets

    from sohoa.training.recognizer.charset import fold_for_training
    from sohoa.training.recognizer.render import save_cache_jpeg, to_height
    ds = datasets.load_from_disk(lines_dir)[split]
    imgs, texts = [], []
    for row in ds:
        t = fold_for_training(row["text"])
        im = np.asarray(row["image"].convert("L"))
        if t and min(im.shape) >= 4:
            imgs.append(to_height(im))
            texts.append(t)
    save_cache_jpeg(Path(out), imgs, texts)
    click.echo(f"{len(texts)} lines -> {out}")


if __name__ == "__main__":
    main()
