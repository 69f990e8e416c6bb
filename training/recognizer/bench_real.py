"""Whole-page CER of ``sohoa process --engine NAME`` on the Đà Nẵng pages with ground truth, and
wall time side by side (evaluation only: nothing here feeds training).

    python -m sohoa.training.recognizer.bench_real /path/to/bench/real --engines sohoa,tesseract
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
from rapidfuzz.distance import Levenshtein


def _fold(s: str) -> str:
    return " ".join(s.split())


def gt_for(img: Path) -> Path:
    return img.with_name(re.sub(r"(-v\d-[a-z]+)?\.jpg$", ".gt.txt", img.name))


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, exists=True))
@click.option("--engines", default="sohoa,tesseract",
              help="Comma-separated; sohoa@VERSION runs the recognizer models/zoo/recognizer/VERSION.")
@click.option("--pattern", default="danang-sgddt-2020-p[12]*.jpg")
def main(folder: Path, engines: str, pattern: str) -> None:
    imgs = sorted(p for p in folder.glob(pattern) if gt_for(p).exists())
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for p in imgs:
            shutil.copy(p, src / p.name)
        for eng in engines.split(","):
            out = Path(tmp) / eng
            name, _, version = eng.partition("@")
            # sohoa@A: recognizer A; sohoa@A+B: A, with B re-reading the lines A is unsure of
            first, _, fallback = version.partition("+")
            env = {**os.environ, "SOHOA_RECOGNIZER_VERSION": first, "SOHOA_RECOGNIZER_FALLBACK": fallback} \
                if version else None
            t = time.time()
            subprocess.run([sys.executable, "-m", "sohoa.serving.cli", "process", str(src), "--out", str(out),
                            "--engine", name, "--no-progress"], check=False, env=env)
            wall = time.time() - t
            rows, ocr_ms, total_ms = {}, [], []
            for p in imgs:
                res = json.loads((out / f"{p.stem}.json").read_text(encoding="utf-8"))
                ocr_ms.append(res.get("timings_ms", {}).get("ocr", 0.0))
                total_ms.append(res.get("timings_ms", {}).get("total", 0.0))
                text = res.get("text") or ""
                gt = _fold(gt_for(p).read_text(encoding="utf-8"))
                rows[p.name] = Levenshtein.distance(_fold(text), gt) / len(gt)
            published = [v for k, v in rows.items() if re.fullmatch(r".*-p[12]\.jpg", k)]
            report[eng] = {"pages": len(rows), "s_per_page": wall / len(rows),
                           "cer_all": sum(rows.values()) / len(rows),
                           "cer_published": sum(published) / max(len(published), 1),
                           # per-page stage times, the first (model loading) page left out
                           "ocr_ms_per_page": sorted(ocr_ms)[len(ocr_ms) // 2] if len(ocr_ms) < 2 else
                           sum(ocr_ms[1:]) / (len(ocr_ms) - 1),
                           "total_ms_per_page": sum(total_ms[1:]) / max(len(total_ms) - 1, 1),
                           "per_page": rows}
            click.echo(f"{eng}: cer_all {report[eng]['cer_all']:.4f} cer_published {report[eng]['cer_published']:.4f} "
                       f"{report[eng]['s_per_page']:.2f} s/page (wall, incl. start-up); OCR stage "
                       f"{report[eng]['ocr_ms_per_page']:.0f} ms/page, pipeline {report[eng]['total_ms_per_page']:.0f} ms/page")
    click.echo(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
