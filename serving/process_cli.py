"""``sohoa process``: scans in, one contract result JSON per file out."""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

SUPPORTED = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}


def expand_inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files as given (whatever their extension: content decides), folders by their scans."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            out.append(path)
    return out


def output_names(files: list[Path]) -> list[str]:
    """``<stem>.json``; when two inputs share a stem (a.pdf, a.png) the later ones keep their
    extension (``a.png.json``) rather than overwrite."""
    seen: set[str] = set()
    names = []
    for f in files:
        name = f"{f.stem}.json"
        if name in seen:
            name = f"{f.name}.json"
        seen.add(name)
        names.append(name)
    return names


_pipeline = None


def _init_worker(engine: str | None, dpi: int | None, single_thread: bool = False) -> None:
    global _pipeline
    from sohoa.models.config import get_settings
    from sohoa.models.pipeline import Pipeline

    settings = get_settings().model_copy()
    if engine:
        settings.ocr_engine = engine
    if dpi:
        settings.pdf_dpi = dpi
    if single_thread and not settings.tesseract_threads:
        settings.tesseract_threads = 1  # parallelism comes from the worker processes
    _pipeline = Pipeline(settings)


def _process_one(path: str, out_path: str) -> tuple[str, int, str | None]:
    """(path, pages, error reason or None). Never raises: one bad file must not stop a batch."""
    from sohoa.models.loading import InputError

    try:
        result = _pipeline.process_path(path)
    except InputError as exc:
        return path, 0, exc.reason
    except Exception as exc:  # an engine failure on one page is that file's failure
        return path, 0, f"processing failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    tmp = out_path + ".tmp"
    Path(tmp).write_text(result.to_json(), encoding="utf-8")
    os.replace(tmp, out_path)  # a reader never sees half a file
    return path, result.source.pages, None


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the results, one <file stem>.json per input (created if missing).")
@click.option("--engine", default=None, help="OCR engine: sohoa or tesseract (default from SOHOA_OCR_ENGINE: sohoa).")
@click.option("--dpi", type=int, default=None, help="Resolution for rendering PDF pages (default 200).")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Worker processes; each holds one pipeline. On 2 cores, 2 is the most that helps.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when stderr is a terminal or there are several files).")
def process(paths: tuple[str, ...], out_dir: str, engine: str | None, dpi: int | None, workers: int,
            progress: bool | None) -> None:
    """Process scans (PNG, JPEG, TIFF, PDF; folders are searched) into result JSON files.

    Exits with status 1 when any input could not be processed, after printing one line per bad
    file on stderr; the results of the other files are written all the same.
    """
    from tqdm import tqdm

    from sohoa.models.ocr import ENGINES

    if engine and engine not in ENGINES:
        raise click.BadParameter(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", param_hint="--engine")
    files = expand_inputs(paths)
    if not files:
        raise click.UsageError("no input files found")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(str(f), str(out / name)) for f, name in zip(files, output_names(files))]
    show = progress if progress is not None else (sys.stderr.isatty() or len(jobs) > 1)
    start = time.perf_counter()
    pages, failures = 0, []
    bar = tqdm(total=len(jobs), unit="file", disable=not show, file=sys.stderr, dynamic_ncols=True)
    try:
        if workers <= 1:
            _init_worker(engine, dpi)
            results = (_process_one(*job) for job in jobs)
            pool = None
        else:
            pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(engine, dpi, True))
            results = pool.map(_process_one, *zip(*jobs))
        for path, n_pages, error in results:
            pages += n_pages
            if error:
                failures.append(path)
                tqdm.write(f"sohoa: {path}: {error}", file=sys.stderr)
            bar.set_postfix(pages=pages, failed=len(failures))
            bar.update()
        if pool:
            pool.shutdown()
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    click.echo(f"{len(jobs)} files ({len(jobs) - len(failures)} ok, {len(failures)} failed), {pages} pages, "
               f"{seconds:.1f} s, {pages / seconds if seconds else 0:.2f} pages/s → {out}", err=True)
    if failures:
        sys.exit(1)


@click.command()
def schema() -> None:
    """Print the JSON Schema of a result (the committed copy is models/result.schema.json)."""
    from sohoa.models.document import dump_schema

    click.echo(dump_schema(), nl=False)
