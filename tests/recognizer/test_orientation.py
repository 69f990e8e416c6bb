"""The sohoa engine's page orientation (models/ocr/orientation.py) on a rendered letter."""
import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def engine():
    from sohoa.models.ocr.recognizer import SohoaEngine
    return SohoaEngine(threads=2)


@pytest.mark.parametrize("turn,expected", [(0, 0), (90, 270), (180, 180), (270, 90)])
def test_orientation_from_the_text(engine, letter_png, turn, expected):
    """``turn`` rotates the page clockwise; the answer is the clockwise turn that undoes it."""
    grey = np.asarray(Image.open(letter_png).convert("L").rotate(-turn, expand=True))
    assert engine.orientation(grey, 150) == expected


def test_a_page_without_text_is_kept_as_scanned(engine):
    rng = np.random.default_rng(0)
    noise = rng.normal(235, 8, (1100, 800)).clip(0, 255).astype(np.uint8)
    assert engine.orientation(noise, 100) == 0
    assert engine.orientation(np.full((1100, 800), 255, np.uint8), 100) == 0


def test_pipeline_uses_the_engines_orientation(engine, letter_png, monkeypatch):
    """With the sohoa engine, Tesseract's OSD is not called at all."""
    from sohoa.models import preprocess

    def no_osd(*a, **k):
        raise AssertionError("Tesseract OSD called")

    monkeypatch.setattr(preprocess, "detect_orientation", no_osd)
    rgb = np.asarray(Image.open(letter_png).convert("RGB").rotate(180))
    prepared = preprocess.prepare_page(rgb, 150, orientation=engine.orientation)
    assert prepared.rotation == 180


def test_a_surely_upright_page_is_not_read_turned(engine, letter_png, monkeypatch):
    """A clean upright letter reads above SURE_UPRIGHT: the lines are read once, not turned."""
    from sohoa.models.ocr import orientation
    reads = []
    real = orientation._confidence

    def counting(recognizer, crops):
        reads.append(real(recognizer, crops))
        return reads[-1]

    monkeypatch.setattr(orientation, "_confidence", counting)
    grey = np.asarray(Image.open(letter_png).convert("L"))
    assert engine.orientation(grey, 150) == 0
    assert len(reads) == 1 and reads[0] >= orientation.SURE_UPRIGHT
