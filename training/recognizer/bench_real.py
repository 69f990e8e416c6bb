"""Whole-page CER of ``sohoa process --engine NAME`` on the Đà Nẵng pages with ground truth, and
wall time side by side (evaluation only: nothing here feeds training).

    python -m sohoa.training.recognizer.bench_real /path/to/bench/real --engines sohoa,tesseract
"""
from __future__ import annotations

import json
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
@click.option("--engines", default="sohoa,tesseract")
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
            t = time.time()
            subprocess.run([sys.executable, "-m", "sohoa.serving.cli", "process", str(src), "--out", str(out),
                            "--engine", eng, "--no-progress"], check=False)
            wall = time.time() - t
            rows = {}
            for p in imgs:
                res = json.loads((out / f"{p.stem}.json").read_text(encoding="utf-8"))
                text = res.get("text") or ""
                gt = _fold(gt_for(p).read_text(encoding="utf-8"))
                rows[p.name] = Levenshtein.distance(_fold(text), gt) / len(gt)
            published = [v for k, v in rows.items() if re.fullmatch(r".*-p[12]\.jpg", k)]
            report[eng] = {"pages": len(rows), "s_per_page": wall / len(rows),
                           "cer_all": sum(rows.values()) / len(rows),
                           "cer_published": sum(published) / max(len(published), 1), "per_page": rows}
            click.echo(f"{eng}: cer_all {report[eng]['cer_all']:.4f} cer_published {report[eng]['cer_published']:.4f} "
                       f"{report[eng]['s_per_page']:.2f} s/page (wall, incl. start-up)")
    click.echo(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
