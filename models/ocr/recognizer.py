"""The ``sohoa`` OCR engine: PP-OCR text-line detection + our Vietnamese CTC line recognizer
(``models/zoo/recognizer/<version>/rec.onnx``, trained by ``sohoa recognizer train``), decoded
with the Vietnamese syllable model. ONNX Runtime only.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from sohoa.models.ocr.base import OcrLine, OcrWord
from sohoa.models.ocr.ctc import Decoded, beam_search, char_alternatives, greedy
from sohoa.models.ocr.syllables import Syllables, repair_text
from sohoa.models.ocr.word_lm import WordLMWeights, repair_line
from sohoa.models.onnx_session import default_threads, ort_session

if TYPE_CHECKING:
    from sohoa.models.ocr.ppocr_det import DetBox

ZOO = Path(__file__).resolve().parents[1] / "zoo" / "recognizer"
HEIGHT = 48  # input line height, unless the model's manifest says otherwise
STRIDE = 8  # input columns per output frame (likewise)


def _opt_in(model_dir: Path) -> bool:
    """A model whose manifest says ``"default": false`` (a faster, less exact variant) is used
    only when named."""
    manifest = model_dir / "manifest.json"
    return manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("default") is False


def default_model_dir() -> Path:
    """The newest recognizer of the zoo that is not opt-in (a pinned one comes from
    ``Settings.recognizer_version``)."""
    versions = sorted(p for p in ZOO.glob("*") if (p / "rec.onnx").exists() and not _opt_in(p)) \
        if ZOO.exists() else []
    if not versions:
        raise FileNotFoundError(f"no recognizer model under {ZOO} (sohoa recognizer export ...)")
    return versions[-1]


@lru_cache(maxsize=1)
def _syllables() -> Syllables:
    return Syllables()


@dataclass
class LineText:
    text: str
    confidence: float
    char_conf: list[float]
    char_x: list[float]    # centre of each character, in pixels of the line crop as given
    char_w: float          # about one frame's width in crop pixels


def to_height(grey: np.ndarray, height: int = HEIGHT) -> np.ndarray:
    h, w = grey.shape[:2]
    nw = max(8, int(np.ceil(w * height / max(h, 1))))
    return cv2.resize(grey, (nw, height), interpolation=cv2.INTER_AREA if h > height else cv2.INTER_LINEAR)


class LineRecognizer:
    """Text of line crops (grey, any height), batched by width."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None, beam: int = 0,
                 repair: bool = True, lm_weight: float | None = None, max_batch_pixels: int = HEIGHT * 3000,
                 word_lm: bool = True):
        """``max_batch_pixels``: input pixels per ONNX Runtime call (lines of similar width are
        batched up to it)."""
        self.dir = Path(model_dir or default_model_dir())
        self.session = ort_session(self.dir / "rec.onnx", threads or default_threads())
        self.input_name = self.session.get_inputs()[0].name
        meta = self.session.get_modelmeta().custom_metadata_map
        if "character" in meta:
            self.chars = meta["character"].split("\n")
        else:
            self.chars = (self.dir / "charset.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
        manifest = self.dir / "manifest.json"
        self.manifest = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
        self.version = str(self.manifest.get("version", self.dir.name))
        shape = self.manifest.get("input", {})
        self.height, self.stride = int(shape.get("height", HEIGHT)), int(shape.get("stride", STRIDE))
        self.beam, self.repair, self.max_batch_pixels = beam, repair, max_batch_pixels
        from sohoa.models.ocr.syllables import LM_WEIGHT
        env = os.environ.get("SOHOA_REC_LM_WEIGHT")
        self.lm_weight = lm_weight if lm_weight is not None else float(env) if env else LM_WEIGHT
        # line-level repair with the word list (models/ocr/word_lm.py); off: syllable by syllable
        self.word_lm = word_lm and os.environ.get("SOHOA_REC_WORD_LM", "1") != "0"

    def scaled(self, grey: np.ndarray) -> np.ndarray:
        """A grey line crop resized to the model's input height."""
        return to_height(grey, self.height)

    def probabilities(self, scaled: list[np.ndarray]) -> list[np.ndarray]:
        """Per-frame class probabilities of crops already at the model's height (``scaled``),
        batched by width."""
        out: list[np.ndarray | None] = [None] * len(scaled)
        order = sorted(range(len(scaled)), key=lambda i: scaled[i].shape[1])
        H, stride, i = self.height, self.stride, 0
        while i < len(order):
            j = i + 1
            while j < len(order) and scaled[order[j]].shape[1] * (j - i + 1) * H <= self.max_batch_pixels:
                j += 1
            idx = order[i:j]
            W = max(scaled[k].shape[1] for k in idx)
            W = -(-W // stride) * stride
            x = np.zeros((len(idx), 3, H, W), np.float32)
            for n, k in enumerate(idx):
                im = scaled[k]
                x[n, :, :, :im.shape[1]] = im.astype(np.float32) / 127.5 - 1.0
            probs = self.session.run(None, {self.input_name: x})[0]
            for n, k in enumerate(idx):
                frames = max(1, -(-scaled[k].shape[1] // stride))
                out[k] = probs[n, :frames]
            i = j
        return out  # type: ignore[return-value]

    def decode(self, probs: np.ndarray) -> Decoded:
        d = beam_search(probs, self.chars, width=self.beam) if self.beam > 1 else greedy(probs, self.chars)
        if self.repair and d.text:
            alts = char_alternatives(probs, d.char_frame, self.chars)
            if self.word_lm:
                fixed = repair_line(d.text, alts, _syllables(), WordLMWeights(unigram=self.lm_weight))
            else:
                fixed = repair_text(d.text, _syllables(), alts, self.lm_weight)
            if fixed != d.text and len(fixed) == len(d.text):
                d = Decoded(fixed, d.char_conf, d.char_frame)
        return d

    def recognize_lines(self, crops: list[np.ndarray]) -> list[LineText]:
        scaled = [self.scaled(c if c.ndim == 2 else cv2.cvtColor(c, cv2.COLOR_RGB2GRAY)) for c in crops]
        out = []
        for crop, s, probs in zip(crops, scaled, self.probabilities(scaled)):
            d = self.decode(probs)
            f = crop.shape[1] / s.shape[1]  # crop pixels per resized pixel
            out.append(LineText(d.text, d.confidence, d.char_conf,
                                [(fr + 0.5) * self.stride * f for fr in d.char_frame], self.stride * f))
        return out


def words_of(line: LineText, x0: int, y0: int, y1: int, x1: int) -> list[OcrWord]:
    """Split a line's text into words with boxes placed from the characters' frames."""
    words, start = [], 0
    text = line.text
    for k in range(len(text) + 1):
        if k == len(text) or text[k] == " ":
            if k > start:
                xs = line.char_x[start:k]
                wx0 = int(max(x0, x0 + xs[0] - line.char_w * 1.2))
                wx1 = int(min(x1, x0 + xs[-1] + line.char_w * 1.2))
                conf = float(np.exp(np.mean(np.log(np.maximum(line.char_conf[start:k], 1e-6)))))
                words.append(OcrWord(text[start:k], (wx0, y0, max(wx1, wx0 + 1), y1), conf))
            start = k + 1
    return words


# The detector's probability fades on a line's last glyph (a small italic digit, a final dot), so
# its box may end inside it ("năm 202"): the recognizer reads a little past both ends.
LINE_END_PAD = 0.3  # x line height


def _widened(box: DetBox, page_width: int) -> DetBox:
    pad = int(round(LINE_END_PAD * box.h))
    return replace(box, x0=max(0, box.x0 - pad), x1=min(page_width, box.x1 + pad))


class SohoaEngine:
    """OcrEngine: PP-OCRv6 det + the sohoa Vietnamese recognizer."""

    name = "sohoa"

    def __init__(self, model_dir: Path | None = None, threads: int | None = None, beam: int = 0,
                 det_dpi: int = 80, det_unclip: float = 1.4, fallback_dir: Path | None = None,
                 reread_below: float = 0.9):
        """``fallback_dir``: a second recognizer (a slower, surer one) that re-reads the lines where
        the first one's least sure character is below ``reread_below``: a cascade, so a fast
        network reads most of the page and the slow one only its hard lines."""
        from sohoa.models.ocr.ppocr_det import TextDetector
        self.detector = TextDetector(threads=threads, det_dpi=det_dpi, unclip_ratio=det_unclip)
        self.rec = LineRecognizer(model_dir, threads=threads, beam=beam)
        self.fallback = LineRecognizer(fallback_dir, threads=threads, beam=beam) if fallback_dir else None
        self.reread_below = reread_below
        cascade = f"|{self.fallback.version}<{reread_below:g}" if self.fallback else ""
        self.version = f"sohoa-rec-{self.rec.version}{cascade}+ppocrv6-det"

    def orientation(self, grey: np.ndarray, dpi: int) -> int:
        """Clockwise turn that makes the page upright, read off the text (``orientation.py``)."""
        from sohoa.models.ocr.orientation import text_orientation
        return text_orientation(self.detector, self.rec, grey, dpi)

    def read_lines(self, crops: list[np.ndarray]) -> list[LineText]:
        texts = self.rec.recognize_lines(crops)
        if self.fallback is not None:
            unsure = [i for i, t in enumerate(texts) if min(t.char_conf, default=0.0) < self.reread_below]
            if unsure:
                for i, t in zip(unsure, self.fallback.recognize_lines([crops[i] for i in unsure])):
                    texts[i] = t
        return texts

    def recognize(self, image: np.ndarray, dpi: int) -> list[OcrLine]:
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        boxes = [_widened(b, grey.shape[1]) for b in self.detector.detect(grey, dpi)]
        crops = [grey[b.y0:b.y1, b.x0:b.x1] for b in boxes]
        texts = self.read_lines(crops) if crops else []
        lines = []
        for n, (b, t) in enumerate(zip(boxes, texts)):
            words = words_of(t, b.x0, b.y0, b.y1, b.x1)
            if words:
                lines.append(OcrLine(words, group=n))
        return lines
