"""Whole-page OCR time of engines side by side, interleaved page by page (evaluation only).

``bench_real`` runs one engine over all pages, then the next: on a shared machine whose speed
drifts by ±20 % over minutes, that compares engines at different moments. Here every page is
prepared once (the pipeline's own OCR view), then each repeat times every engine on it in turn,
rotating which goes first. The ratio is taken page by page, so drift cancels within a page.

    sohoa recognizer speed ../shared/bench/real --engines sohoa@v2-small-int8,tesseract --repeats 3

Times are ``engine.recognize`` on the OCR view: detection, recognition and decoding for ``sohoa``;
the whole ``tesseract`` subprocess (layout analysis and recognition) for Tesseract.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import click


def build(spec: str, settings):
    """``tesseract``, ``sohoa`` or ``sohoa@VERSION`` (a recognizer of models/zoo/recognizer)."""
    from sohoa.models.ocr import build_engine
    name, _, version = spec.partition("@")
    return build_engine(name, settings.model_copy(update={"recognizer_version": version}) if version else settings)


def ocr_views(paths: list[Path], settings) -> list[tuple[str, object, int]]:
    import cv2  # noqa: F401  (prepare_page needs OpenCV; fail early with the import error)

    from sohoa.models.loading import load_path
    from sohoa.models.preprocess import prepare_page
    out = []
    for p in paths:
        for n, page in enumerate(load_path(p, settings.limits, settings.pdf_dpi), 1):
            prep = prepare_page(page.image, page.dpi, detect_rotation=False, max_skew=settings.max_skew_deg,
                                ocr_min_dpi=settings.ocr_min_dpi, ocr_max_dpi=settings.ocr_max_dpi)
            out.append((f"{p.name}#{n}", prep.ocr_image, prep.ocr_dpi))
    return out


def run(paths: list[Path], engines: list[str], repeats: int = 3) -> dict:
    from tqdm import tqdm

    from sohoa.models.config import get_settings
    settings = get_settings()
    built = {e: build(e, settings) for e in engines}
    views = ocr_views(paths, settings)
    for e in engines:  # warm-up: model loading and first-call allocation are not page time
        built[e].recognize(views[0][1], views[0][2])
    ms: dict[str, dict[str, list[float]]] = {e: {name: [] for name, _, _ in views} for e in engines}
    for r in tqdm(range(repeats), desc="repeats", unit="pass"):
        for k, (name, image, dpi) in enumerate(views):
            order = engines[(r + k) % len(engines):] + engines[:(r + k) % len(engines)]
            for e in order:
                t = time.perf_counter()
                built[e].recognize(image, dpi)
                ms[e][name].append((time.perf_counter() - t) * 1000)
    per_page = {e: {name: statistics.median(v) for name, v in pages.items()} for e, pages in ms.items()}
    report: dict = {"pages": len(views), "repeats": repeats, "engines": {}}
    for e in engines:
        vals = list(per_page[e].values())
        report["engines"][e] = {"version": getattr(built[e], "version", e), "median_ms": statistics.median(vals),
                                "mean_ms": statistics.fmean(vals)}
    base = engines[-1]
    for e in engines[:-1]:
        ratios = [per_page[base][n] / per_page[e][n] for n in per_page[e]]
        report["engines"][e][f"speedup_over_{base}"] = {"median": statistics.median(ratios), "min": min(ratios),
                                                         "max": max(ratios)}
    report["per_page_ms"] = per_page
    return report


@click.command(help=__doc__.split("\n\n")[0])
@click.argument("folder", type=click.Path(path_type=Path, exists=True))
@click.option("--engines", default="sohoa,tesseract", show_default=True,
              help="Comma-separated; the last one is the reference the others' speed-ups are over.")
@click.option("--pattern", default="danang-sgddt-2020-p[12]*.jpg", show_default=True)
@click.option("--repeats", type=int, default=3, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Also write the report here (JSON).")
def main(folder: Path, engines: str, pattern: str, repeats: int, out: Path | None) -> None:
    paths = sorted(folder.glob(pattern)) if folder.is_dir() else [folder]
    if not paths:
        raise click.ClickException(f"no file matches {pattern} in {folder}")
    report = run(paths, engines.split(","), repeats)
    for e, r in report["engines"].items():
        extra = "".join(f"; {k.replace('_', ' ')}: median {v['median']:.2f}x (pages {v['min']:.2f}-{v['max']:.2f}x)"
                        for k, v in r.items() if k.startswith("speedup"))
        click.echo(f"{e} [{r['version']}]: {r['median_ms']:.0f} ms/page median, {r['mean_ms']:.0f} mean{extra}")
    if out:
        out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
