"""``sohoa recognizer``: corpus, render, train (with resume), export, eval.

The whole recipe (see training/recognizer/README.md):

    sohoa recognizer corpus --n 300000 --out runs/recognizer/data/train.txt --seed 1
    sohoa recognizer corpus --n 4000 --out runs/recognizer/data/val.txt --seed 999
    sohoa recognizer render --texts runs/recognizer/data/train.txt --out runs/recognizer/data/train.npz --seed 1
    sohoa recognizer render --texts runs/recognizer/data/val.txt --out runs/recognizer/data/val.npz --seed 999
    sohoa recognizer train --data runs/recognizer/data/train.npz --val runs/recognizer/data/val.npz \
        --run runs/recognizer/r1 --minutes 600 --resume
    sohoa recognizer export --run runs/recognizer/r1 --out models/zoo/recognizer/v1 --version v1
    sohoa recognizer quantize --model models/zoo/recognizer/v2-small --data datasets/gen400 \
        --out models/zoo/recognizer/v2-small-int8 --version v2-small-int8
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from sohoa.training.recognizer.bench_speed import main as bench_speed


@click.group(help="Train and export the Vietnamese text-line recognizer (needs the train extra).")
def recognizer() -> None:
    pass


@recognizer.command(help="Write training text lines (generator vocabulary, hunspell-vi syllables, codes).")
@click.option("--n", type=int, required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=int, default=0)
def corpus(n: int, out: Path, seed: int) -> None:
    from sohoa.training.recognizer.corpus import write_corpus
    write_corpus(out, n, seed)
    click.echo(f"{n} lines -> {out}")


@recognizer.command(help="Render text lines into a cached line-image file (.npz).")
@click.option("--texts", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=int, default=0)
@click.option("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
@click.option("--font-dir", "font_dirs", multiple=True)
def render(texts: Path, out: Path, seed: int, workers: int, font_dirs) -> None:
    from sohoa.training.recognizer.render import render_cache
    lines = [t for t in texts.read_text(encoding="utf-8").splitlines() if t.strip()]
    n = render_cache(lines, out, workers=workers, seed=seed, font_dirs=list(font_dirs))
    click.echo(f"{n} line images -> {out}")


@recognizer.command(help="Fine-tune (resumable) on cached line images.")
@click.option("--data", "data", type=click.Path(path_type=Path, exists=True), multiple=True, required=True)
@click.option("--val", type=click.Path(path_type=Path, exists=True))
@click.option("--run", type=click.Path(path_type=Path), required=True)
@click.option("--minutes", type=float, default=60.0)
@click.option("--steps", type=int, default=10**9)
@click.option("--total-steps", type=int, default=None, help="Length of the cosine schedule.")
@click.option("--max-pixels", type=int, default=48 * 24000, help="Pixels per batch (48 x sum of widths).")
@click.option("--lr", type=float, default=1e-3)
@click.option("--freeze", type=float, default=0.0, help="Fraction of backbone tensors kept frozen.")
@click.option("--resume/--no-resume", default=True)
@click.option("--init-weights", type=click.Path(path_type=Path))
@click.option("--init-onnx", type=click.Path(path_type=Path, exists=True),
              help="Start from this recognizer ONNX (e.g. models/zoo/recognizer/v1/rec.onnx) instead of PP-OCR's.")
@click.option("--height", type=int, default=48, show_default=True,
              help="Input line height; other than 48, the last pooling keeps the width (a frame per 4 columns).")
@click.option("--arch", type=click.Choice(["ppocr", "small"]), default="ppocr", show_default=True,
              help="ppocr: fine-tune the PP-OCR graph; small: the CPU-fast network of smallnet.py, from scratch.")
@click.option("--net-config", default=None,
              help='JSON for --arch small, e.g. \'{"widths": [64,128,192,256], "seq": 384}\'.')
@click.option("--augment", is_flag=True, help="Stretch widths 0.8-1.2x and jitter contrast on the fly.")
@click.option("--threads", type=int, default=None)
@click.option("--eval-every", type=int, default=1000)
@click.option("--ckpt-every", type=int, default=500)
def train(data, val, run, minutes, steps, total_steps, max_pixels, lr, freeze, resume, init_weights, init_onnx,
          height, arch, net_config, augment, threads, eval_every, ckpt_every) -> None:
    from sohoa.training.recognizer.train import train as run_train
    m = run_train(list(data), val, run, minutes=minutes, max_steps=steps, total_steps=total_steps,
                  max_pixels=max_pixels, lr=lr, freeze=freeze, resume=resume, init_weights=init_weights,
                  init_onnx=init_onnx, height=height, arch=arch,
                  net_config=json.loads(net_config) if net_config else None, augment=augment,
                  threads=threads, eval_every=eval_every, ckpt_every=ckpt_every,
                  log=lambda s: click.echo(s, err=False))
    click.echo(json.dumps(m))


@recognizer.command(help="Export a run to ONNX + charset + manifest.")
@click.option("--run", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--version", "version", required=True)
@click.option("--note", default="")
@click.option("--opt-in", is_flag=True, help='Manifest "default": false: used only when named (SOHOA_RECOGNIZER_VERSION).')
def export(run: Path, out: Path, version: str, note: str, opt_in: bool) -> None:
    from sohoa.training.recognizer.train import export as run_export
    p = run_export(run, out, version, extra={"note": note} if note else None, opt_in=opt_in)
    click.echo(f"exported {p}")


@recognizer.command(help="Static int8 of a recognizer's heavy layers, calibrated on a generated folder's train pages.")
@click.option("--model", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="Folder with rec.onnx, charset.txt, manifest.json")
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="A generated folder (sohoa data generate); only its train split is read")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--version", "version", required=True)
@click.option("--pages", type=int, default=60, show_default=True, help="Calibration pages (8 lines each)")
@click.option("--nodes", default=None, help="Regex of the convolutions to quantize (default: quantize.DEFAULT_NODES)")
def quantize(model: Path, data: Path, out: Path, version: str, pages: int, nodes: str | None) -> None:
    from sohoa.training.recognizer.quantize import DEFAULT_NODES
    from sohoa.training.recognizer.quantize import quantize as run_quantize
    p = run_quantize(model, data, out, version, pages, nodes or DEFAULT_NODES)
    click.echo(f"wrote {p} (opt-in: SOHOA_RECOGNIZER_VERSION={version})")


@recognizer.command(name="eval", help="CER of an exported model on a cached line file.")
@click.option("--model", type=click.Path(path_type=Path, exists=True), required=True, help="Folder with rec.onnx")
@click.option("--data", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--greedy", is_flag=True, help="Greedy CTC only, no syllable or word repair.")
def evaluate(model: Path, data: Path, greedy: bool) -> None:
    from sohoa.models.ocr.recognizer import LineRecognizer
    from sohoa.training.recognizer.eval_lines import error_kinds
    from sohoa.training.recognizer.render import load_cache
    from sohoa.training.recognizer.train import levenshtein
    rec = LineRecognizer(model, repair=not greedy)
    imgs, texts = load_cache(data)
    hyps = rec.recognize_lines(imgs)
    errs = sum(levenshtein(h.text, t) for h, t in zip(hyps, texts))
    total = sum(len(t) for t in texts)
    click.echo(json.dumps({"cer": errs / max(total, 1), "lines": len(texts),
                           "line_acc": sum(h.text == t for h, t in zip(hyps, texts)) / max(len(texts), 1),
                           "errors": error_kinds((h.text, t) for h, t in zip(hyps, texts))}, ensure_ascii=False))


recognizer.add_command(bench_speed, name="speed")

if __name__ == "__main__":
    recognizer()
