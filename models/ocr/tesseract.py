"""Tesseract 5 (``vie``) as an OCR engine, through its TSV output.

Tesseract is called as a subprocess rather than through a binding: one process per page keeps
memory flat over a backlog of thousands of pages, and a hung page can be killed by timeout.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import unicodedata
from functools import lru_cache

import cv2
import numpy as np

from sohoa.models.ocr.base import OcrLine, OcrWord


class TesseractError(RuntimeError):
    pass


@lru_cache
def tesseract_version() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise TesseractError("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.replace("tesseract ", "tesseract-")


def _encode_png(image: np.ndarray) -> bytes:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    ok, buf = cv2.imencode(".png", gray, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise TesseractError("cannot encode page image")
    return buf.tobytes()


def run_tesseract(image: np.ndarray, dpi: int | None, lang: str = "vie", psm: int = 3,
                  output: str = "tsv", timeout_s: float = 120.0, threads: int = 1) -> str:
    tesseract_version()  # clear error if missing
    args = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm)]
    if dpi:
        args += ["--dpi", str(dpi)]
    if output != "txt":
        args.append(output)
    try:
        env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)} if threads > 0 else None
        proc = subprocess.run(args, input=_encode_png(image), capture_output=True,
                              timeout=timeout_s, check=False, env=env)
    except subprocess.TimeoutExpired:
        raise TesseractError(f"tesseract took longer than {timeout_s:.0f} s on a page") from None
    if proc.returncode != 0:
        raise TesseractError(f"tesseract failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
    return unicodedata.normalize("NFC", proc.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> list[OcrLine]:
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        x, y, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
        conf = max(0.0, min(1.0, float(row["conf"]) / 100.0))
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(OcrWord(text, (x, y, x + w, y + h), conf))
    return [OcrLine(words, group=key[0]) for key, words in lines.items()]


def tesseract_plain_text(image: np.ndarray, lang: str = "vie", threads: int = 1) -> str:
    """Tesseract alone, as a peer: ``tesseract page.png out -l vie`` with default settings but for
    the thread limit (``run_tesseract``): a peer is measured at its fastest."""
    return run_tesseract(image, None, lang=lang, output="txt", threads=threads)


class TesseractEngine:
    name = "tesseract"

    def __init__(self, lang: str = "vie", psm: int = 3, timeout_s: float = 120.0, threads: int = 1):
        self.lang, self.psm, self.timeout_s, self.threads = lang, psm, timeout_s, threads
        self.version = f"{tesseract_version()}-{lang}"

    def recognize(self, image: np.ndarray, dpi: int) -> list[OcrLine]:
        return parse_tsv(run_tesseract(image, dpi, self.lang, self.psm, "tsv", self.timeout_s, self.threads))
