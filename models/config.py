"""One configuration for the whole service, read from the environment (prefix ``SOHOA_``).

Limits default to finite values on purpose: an unbounded page count or pixel count is how a
document service gets taken down by one upload.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Limits(BaseModel):
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 50
    max_pixels: int = 60_000_000  # per page, after rendering: a 300 dpi A3 is about 17 Mpx


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", env_nested_delimiter="__")

    # Input
    pdf_dpi: int = 200
    limits: Limits = Limits()

    # OCR
    # "sohoa" (our detector + Vietnamese recognizer) by default: on the real Da Nang pages it reads
    # CER 0.044 against 0.069 for the Tesseract engine, at about the same time per page
    # (training/recognizer/README.md); "tesseract" stays selectable.
    ocr_engine: str = "sohoa"
    ocr_min_dpi: int = 140  # coarser pages are upsampled for OCR (70 dpi scans read far better)
    ocr_max_dpi: int = 300  # finer pages are downsampled: no gain, only time
    tesseract_lang: str = "vie"
    tesseract_timeout_s: float = 120.0
    # Threads per Tesseract process (OMP_THREAD_LIMIT); 0 = no limit. Limited by default: with
    # OpenMP's default, Tesseract 5.3 read a 70 dpi page in 4.5 s that it reads in 0.6 s with a
    # limit of 1 or 2 (same text, 2-core machine): its nested parallel loops oversubscribe.
    tesseract_threads: int = 1
    ocr_threads: int = 0            # ONNX Runtime threads of the `sohoa` engine; 0 = up to 4 cores
    # Resolution the text-line detector sees; its cost grows with the square of it. At a lower
    # resolution the DB kernels come out relatively fatter, so the unclip ratio goes down with it:
    # 80 dpi with 1.4 gives the boxes 110 dpi with 1.6 gave (mean edge offsets under 2 px on 40
    # gen400 pages) and the same gen400 validation scores (field F1 0.972 / text CER 0.050 against
    # 0.967 / 0.049 with v2-small) for half the detector's time. 80 dpi with the old 1.6 lost a
    # point of text CER: boxes a few pixels too big shrink the text the recognizer sees.
    det_dpi: int = 80
    det_unclip: float = 1.4
    # models/zoo/recognizer/<version>; "" = the newest that is not opt-in (v1; v1-fast, v2-small
    # and v2-small-int8 are opt-in). v2-small-int8 is the fast mode: 3.3x single-threaded
    # Tesseract on the real pages, at two points less field F1 than v1 on generated documents.
    recognizer_version: str = ""
    # A second recognizer that re-reads the lines the first is unsure of (its least sure character
    # below reread_below); "" = none. VERSION=v2-small, FALLBACK=v1 keeps v1's field F1 on gen400
    # for ~30 % less OCR time, but on the real 63 dpi scans v2-small is unsure of most lines: there
    # it costs what v1 costs and changed 19 of 149 fields, not for the better on balance
    # (training/recognizer/README.md). So it is opt-in, and v1 alone stays the default.
    recognizer_fallback: str = ""
    reread_below: float = 0.9  # chosen on gen400's validation split

    # Preprocessing
    detect_orientation: bool = True
    max_skew_deg: float = 10.0

    # Model zoo: the folder of trained models, and pinned versions ("" = newest).
    learned_models: bool = True  # False: rules only
    model_device: str = "cpu"    # "cuda" runs the learned models on ONNX Runtime's CUDA provider
    models_dir: Path = PACKAGE_DIR / "zoo"
    classifier_version: str = ""
    extractor_version: str = ""
    # Field confidence = P(correct) from the field's own OCR words (models/fields/confidence.py);
    # False: the rules' prior x line confidence (what the fit itself reads, training/ocr_cache.py)
    field_confidence: bool = True

    # Service
    database_url: str = "sqlite:///sohoa-data/sohoa.db"
    storage_dir: Path = Path("sohoa-data/storage")


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Vocabulary(BaseModel):
    doc_types: dict[str, dict]
    fields: dict[str, dict]

    @property
    def labels(self) -> list[str]:
        return list(self.doc_types)

    @property
    def field_names(self) -> list[str]:
        return list(self.fields)


@lru_cache
def get_vocabulary(path: str | None = None) -> Vocabulary:
    raw = yaml.safe_load(Path(path or PACKAGE_DIR / "vocabulary.yaml").read_text(encoding="utf-8"))
    return Vocabulary(**raw)
