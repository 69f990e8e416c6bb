"""``sohoa data``: generate synthetic labelled documents and their datasets."""
from __future__ import annotations

import functools
import json
import multiprocessing as mp
import os
import time
from pathlib import Path

import click

from sohoa.data.dataset import FRESH_SPLITS


def _work(index: int, out_dir: str, seed: int, template: str | None, remix: bool = False,
          extra: bool = False, fresh: str | None = None) -> dict:
    from sohoa.data.generator.writer import generate_one

    try:
        return generate_one(out_dir, seed, index, template, remix=remix, extra=extra, fresh=fresh)
    except Exception as exc:  # one bad document must not kill a long run; it is reported
        return {"index": index, "error": f"{type(exc).__name__}: {exc}"}


def _init_worker():
    try:
        os.nice(5)
    except OSError:
        pass


@click.group()
def data() -> None:
    """Synthetic Vietnamese administrative documents and their datasets."""


@data.command()
@click.option("--n", "n", type=int, required=True, help="Number of documents (1-3 pages each).")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Output folder.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1), show_default=True)
@click.option("--split-by-template/--split-random", default=True, show_default=True,
              help="Hold out whole templates for validation/test (default), or split documents at random.")
@click.option("--template", default=None, help="Only this template id (default: all, types balanced).")
@click.option("--dataset/--no-dataset", default=True, show_default=True, help="Build dataset/ and lines/.")
@click.option("--lines/--no-lines", default=True, show_default=True, help="Build the line-crop dataset.")
@click.option("--remix", is_flag=True, help="Training data only: remixed training-split templates (labels "
              "redrawn, form lines borrowed and moved; generator/remix.py). Every document lands in train.")
@click.option("--extra-templates", "extra", is_flag=True, help="Training data only: draw from the training-only "
              "templates of data/resources/templates_extra.yaml (layouts the held-out splits never see; one per "
              "document type is held out as the calibration split).")
@click.option("--fresh-templates", "fresh", is_flag=False, flag_value="fresh", default=None,
              type=click.Choice(FRESH_SPLITS), help="Evaluation only: draw from the templates of "
              "data/resources/templates_SPLIT.yaml (SPLIT 'fresh' when not given; one split of layouts "
              "written after the rules and models, never trained on).")
def generate(n: int, out: str, seed: int, workers: int, split_by_template: bool, template: str | None,
             dataset: bool, lines: bool, remix: bool, extra: bool, fresh: str | None) -> None:
    """Render N labelled documents into OUT/docs, then OUT/dataset, OUT/lines and OUT/README.md."""
    from tqdm import tqdm

    from sohoa.data.generator.compose import extra_templates, fresh_templates, template_pool
    from sohoa.data.generator.render import font_families, hand_fonts

    if fresh and (extra or remix):
        raise click.UsageError("--fresh-templates is evaluation data: not with --extra-templates or --remix")
    known = {t["id"] for t in template_pool(extra, fresh)}
    if template and template not in known:
        if extra or fresh:
            hint = " among the " + (fresh or "extra") + " templates"
        elif template in {t["id"] for t in extra_templates()}:
            hint = " (a training-only template: add --extra-templates)"
        else:
            fresh_of = {t["id"]: s for s in FRESH_SPLITS for t in fresh_templates(s)}
            hint = f" (an evaluation-only template: add --fresh-templates {fresh_of[template]})" \
                if template in fresh_of else ""
        raise click.BadParameter(f"unknown template {template!r}{hint}", param_hint="--template")
    if remix and template:
        from sohoa.data.dataset import every_template_split

        if every_template_split()[template] != "train":
            raise click.BadParameter(f"{template!r} is not a training-split template; --remix reads only those",
                                     param_hint="--template")
    out_dir = Path(out)
    (out_dir / "docs").mkdir(parents=True, exist_ok=True)
    font_families(), hand_fonts()  # fail early (and cache before forking)
    work = functools.partial(_work, out_dir=str(out_dir), seed=seed, template=template, remix=remix, extra=extra,
                             fresh=fresh)
    results, errors = [], []
    t0 = time.perf_counter()
    bar = tqdm(total=n, unit="doc", desc="generate")
    if workers <= 1:
        for i in range(n):
            r = work(i)
            (errors if "error" in r else results).append(r)
            bar.update(1)
    else:
        ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
        with ctx.Pool(workers, initializer=_init_worker) as pool:
            for r in pool.imap_unordered(work, range(n), chunksize=2):
                (errors if "error" in r else results).append(r)
                bar.update(1)
    bar.close()
    seconds = time.perf_counter() - t0
    n_pages = sum(r["pages"] for r in results)
    for e in errors[:10]:
        click.echo(f"error in document {e['index']}: {e['error']}", err=True)
    click.echo(f"generated {len(results)} documents, {n_pages} pages in {seconds:.1f} s: "
               f"{n_pages / max(seconds, 1e-9):.2f} pages/s ({workers} workers)")
    stats: dict = {}
    if dataset:
        from sohoa.data.dataset import build_datasets

        t1 = time.perf_counter()
        stats = build_datasets(out_dir, by_template=split_by_template, lines=lines)
        click.echo(f"datasets written in {time.perf_counter() - t1:.1f} s: pages {stats.get('pages')}, "
                   f"lines {stats.get('lines')}")
    from sohoa.data.dataset import dataset_card

    (out_dir / "README.md").write_text(dataset_card(out_dir, stats, seconds, n_pages, seed, split_by_template),
                                       encoding="utf-8")
    (out_dir / "generation.json").write_text(json.dumps(
        {"n": n, "seed": seed, "workers": workers, "documents": len(results), "pages": n_pages,
         "errors": errors, "seconds": round(seconds, 2), "pages_per_s": round(n_pages / max(seconds, 1e-9), 3),
         "split_by_template": split_by_template, "remix": remix, "extra_templates": extra,
         "fresh_templates": fresh},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if errors:
        raise SystemExit(1 if not results else 0)
