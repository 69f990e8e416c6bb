"""The inference pipeline: scan bytes in, a contract ``DocumentResult`` out.

Stages, each behind a small interface and timed: load → preprocess (orientation, deskew, seals)
→ OCR (engine by name) → layout (block roles, reading order) → classify → extract fields.
Build one ``Pipeline`` per process and reuse it: engines and models load once.
"""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from sohoa.models import VERSION, classify, layout
from sohoa.models.config import Settings, get_settings, get_vocabulary
from sohoa.models.stamps import drop_signature_ink
from sohoa.models.document import DocType, DocumentResult, Field, Page, Source
from sohoa.models.fields import rules
from sohoa.models.fields.confidence import default_field_confidence
from sohoa.models.learned.merge import merge_doc_type, merge_fields
from sohoa.models.learned.relabel import relabel_blocks
from sohoa.models.loading import InputError, PageImage, load_pages, read_scan
from sohoa.models.ocr import OcrLine, OcrWord, build_engine
from sohoa.models.preprocess import CV_ROTATE, prepare_page, rotate_by
from sohoa.models.regions import find_regions

__all__ = ["Pipeline", "InputError"]


def _load_learned(settings: Settings):
    """The learned layout model of the zoo (``settings.models_dir``): the version named by
    ``classifier_version`` / ``extractor_version``, else the newest; None when there is none or
    when ``SOHOA_LEARNED_MODELS=0`` (rules only)."""
    if not settings.learned_models:
        return None
    from sohoa.models.learned import LearnedModel, find_model_dir

    found = find_model_dir(settings.models_dir, settings.classifier_version or settings.extractor_version)
    if not found:
        return None
    try:
        return LearnedModel(found, device=settings.model_device)
    except ImportError as exc:  # e.g. `tokenizers` missing from a slim install: rules only, said loudly
        import warnings
        warnings.warn(f"learned model {found} not loaded ({exc}); using the rules only", RuntimeWarning)
        return None


class _Timer:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - start) * 1000


def _scale_lines(lines: list[OcrLine], scale: float) -> list[OcrLine]:
    if scale == 1.0:
        return lines
    def box(b):
        return tuple(int(round(v / scale)) for v in b)
    return [OcrLine([OcrWord(w.text, box(w.bbox), w.confidence) for w in ln.words], ln.group) for ln in lines]


class Pipeline:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.vocabulary = get_vocabulary()
        self.ocr = build_engine(self.settings.ocr_engine, self.settings)
        self.learned = _load_learned(self.settings)
        # fitted on this OCR engine's word confidences; with another engine the rules' stays
        cal = default_field_confidence() if self.settings.field_confidence else None
        self.field_confidence = cal if cal is not None and cal.engine == self.settings.ocr_engine else None

    @property
    def model_versions(self) -> dict[str, str]:
        learned = f"layoutlm/{self.learned.version}+" if self.learned else ""
        return {"ocr": self.ocr.version, "layout": layout.VERSION, "classifier": learned + classify.VERSION,
                "extractor": learned + rules.VERSION, "sohoa": VERSION}

    # --- entry points ---------------------------------------------------------------------

    def process_path(self, path: str | Path) -> DocumentResult:
        return self.process_bytes(read_scan(path, self.settings.limits), Path(path).name)

    def process_bytes(self, data: bytes, filename: str) -> DocumentResult:
        timer = _Timer()
        with timer.stage("load"):
            pages = self.load(data, filename)
        sha256 = hashlib.sha256(data).hexdigest()
        return self.process_pages(pages, filename, sha256, timer)

    def load(self, data: bytes, filename: str) -> list[PageImage]:
        s = self.settings
        return load_pages(data, filename, s.limits, s.pdf_dpi)

    def process_pages(self, images: list[PageImage], filename: str, sha256: str,
                      timer: _Timer | None = None) -> DocumentResult:
        timer = timer or _Timer()
        start = time.perf_counter()
        pages: list[Page] = []
        warnings: list[str] = []
        for page_image in images:
            page = self._process_page(page_image, timer)
            if not any(b.lines for b in page.blocks):
                warnings.append(f"page {page.number}: no text found")
            pages.append(page)
        prediction = None
        has_text = any(p.blocks for p in pages)
        fields: dict[str, Field] | None = None
        with timer.stage("classify"):
            stacked = self.learned is not None and self.learned.stacked
            if self.learned is not None and has_text and not stacked:
                # One pass of the learned model gives every head (type, fields, line roles); where
                # its role head is sure, block types follow it, and the rules read those blocks.
                prediction = self.learned.predict(pages)
                if self.learned.relabel_min_conf is not None:
                    pages = relabel_blocks(pages, prediction.pages, self.learned.roles, self.learned.relabel_min_conf)
            doc_type = classify.classify(pages, self.vocabulary) if has_text else \
                DocType(label="other", confidence=0.5, scores={k: 0.1 for k in self.vocabulary.labels})
            if stacked and has_text:
                # A stacked model reads the rules' answer (type and fields on the heuristic's
                # blocks) with the words, and corrects it where it has learned the rules go wrong.
                fields = rules.extract_fields(pages)
                prediction = self.learned.predict(
                    pages, (doc_type.label, {k: f.model_dump() for k, f in fields.items()}))
            if prediction is not None:
                label, source = merge_doc_type(prediction.doc_type, prediction.doc_scores, doc_type.label,
                                               self.learned.doc_min_conf, doc_type.confidence,
                                               self.learned.rules_keep_conf,
                                               self.learned.opening_guard, pages)
                if source == "model":
                    doc_type = DocType(label=label, confidence=prediction.doc_scores[label],
                                       scores=prediction.doc_scores)
        with timer.stage("extract"):
            if fields is None:
                fields = rules.extract_fields(pages)
            if prediction is not None:  # rules stay as validators and fallbacks
                fields = {name: Field(**f) for name, f in
                          merge_fields(prediction.fields, fields, self.learned.override_min_conf,
                                       self.learned.fill_min_conf, doc_type=doc_type.label,
                                       type_fields=self.learned.type_fields).items()}
            if self.field_confidence is not None:  # P(correct): what reviewers sort by
                fields = self.field_confidence.rescore(fields, pages)
        text = "\n".join(ln.text for p in pages for b in p.blocks for ln in b.lines)
        timings = {k: round(v, 1) for k, v in timer.ms.items()}
        timings["total"] = round(timings.get("load", 0.0) + (time.perf_counter() - start) * 1000, 1)
        return DocumentResult(
            id=sha256[:24], source=Source(filename=Path(filename).name, sha256=sha256, pages=len(pages)),
            doc_type=doc_type, fields=fields, pages=pages, text=text, models=self.model_versions,
            timings_ms=timings, warnings=warnings)

    def page_image(self, data: bytes, filename: str, page: Page) -> np.ndarray:
        """The page as the result's boxes see it (rotation and deskew applied), RGB."""
        image = self.load(data, filename)[page.number - 1].image
        return apply_geometry(image, page.rotation, page.skew)

    # --- one page -------------------------------------------------------------------------

    def _process_page(self, page_image: PageImage, timer: _Timer) -> Page:
        s = self.settings
        with timer.stage("preprocess"):
            prepared = prepare_page(page_image.image, page_image.dpi, detect_rotation=s.detect_orientation,
                                    max_skew=s.max_skew_deg, ocr_min_dpi=s.ocr_min_dpi, ocr_max_dpi=s.ocr_max_dpi,
                                    orientation=getattr(self.ocr, "orientation", None))
        with timer.stage("ocr"):
            lines = _scale_lines(self.ocr.recognize(prepared.ocr_image, prepared.ocr_dpi), prepared.ocr_scale)
            lines = drop_signature_ink(lines, prepared.image, prepared.stamps)
        height, width = prepared.image.shape[:2]
        with timer.stage("layout"):
            gray = cv2.cvtColor(prepared.image, cv2.COLOR_RGB2GRAY)
            tables, photos = find_regions(gray, page_image.dpi, [ln.bbox for ln in lines])
            blocks = layout.analyze(lines, width, height, prepared.stamps, tables, photos)
        return Page(number=page_image.number, width=width, height=height, dpi=page_image.dpi,
                    rotation=prepared.rotation, skew=prepared.skew, blocks=blocks)


def apply_geometry(image: np.ndarray, rotation: int, skew: float) -> np.ndarray:
    if rotation:
        image = cv2.rotate(image, CV_ROTATE[rotation])
    return rotate_by(image, skew) if skew else image
