"""OCR engines, chosen by name in the configuration (``SOHOA_OCR_ENGINE``)."""
from __future__ import annotations

from sohoa.models.ocr.base import OcrEngine, OcrLine, OcrWord

ENGINES = ("tesseract", "sohoa")


def build_engine(name: str, settings) -> OcrEngine:
    if name == "tesseract":
        from sohoa.models.ocr.tesseract import TesseractEngine
        return TesseractEngine(settings.tesseract_lang, timeout_s=settings.tesseract_timeout_s,
                               threads=settings.tesseract_threads)
    if name == "sohoa":
        from sohoa.models.ocr.recognizer import SohoaEngine
        zoo = settings.models_dir / "recognizer"
        model_dir = zoo / settings.recognizer_version if settings.recognizer_version else None
        fallback = zoo / settings.recognizer_fallback if settings.recognizer_fallback else None
        return SohoaEngine(model_dir=model_dir, threads=settings.ocr_threads or None, det_dpi=settings.det_dpi,
                           det_unclip=settings.det_unclip, fallback_dir=fallback, reread_below=settings.reread_below)
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["OcrEngine", "OcrLine", "OcrWord", "build_engine", "ENGINES"]
