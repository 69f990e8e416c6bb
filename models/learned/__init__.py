"""Learned document models served with ONNX Runtime (no torch at inference).

``LearnedModel(dir)`` loads a ``models/zoo/layoutlm/<version>/`` folder written by
``sohoa export``; ``find_model_dir(models_dir, version)`` picks the named or the newest one.
"""
from sohoa.models.learned.runtime import DocumentPrediction, LearnedModel, find_model_dir, page_words

__all__ = ["LearnedModel", "DocumentPrediction", "find_model_dir", "page_words"]
