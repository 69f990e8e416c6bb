"""``sohoa bench DIR``: the pipeline and a peer engine on a labelled folder (training/bench.py)."""
from __future__ import annotations

from pathlib import Path

import click

from sohoa.data.dataset import SPLITS


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--engine", default=None, help="OCR engine of the pipeline (default: the configured one).")
@click.option("--peer", type=click.Choice(["tesseract", "none"]), default="tesseract", show_default=True,
              help="Peer engine run alone on the same pages, for text metrics and the speed ratio.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Report folder (default: runs/bench/<folder name>; never inside FOLDER).")
@click.option("--limit", type=int, default=None, help="Only the first N documents.")
@click.option("--split", type=click.Choice(SPLITS), default=None,
              help="Generated sets: only documents of templates in this split (held-out layouts: test; "
                   "the evaluation-only template sets: fresh, fresh2, ...).")
def bench(folder: str, engine: str | None, peer: str, out: str | None, limit: int | None, split: str | None) -> None:
    """Benchmark the pipeline on FOLDER (documents with <stem>.gt.json, or .gt.txt texts)."""
    from sohoa.training.bench import render_markdown, run_bench, write_report

    report = run_bench(folder, engine=engine, peer=peer, limit=limit, split=split)
    if out is None:  # evaluation folders (shared/bench/real) are read-only by policy: never write there
        out = str(Path("runs") / "bench" / Path(folder).resolve().name)
    j, m = write_report(report, out)
    click.echo(render_markdown({**report, "docs": []}).split("\n## Documents")[0])
    click.echo(f"wrote {j} and {m}")
    if report["errors"]:
        click.echo(f"{len(report['errors'])} document(s) could not be read", err=True)
