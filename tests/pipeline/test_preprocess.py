import numpy as np
import pytest
from PIL import Image

from sohoa.models.preprocess import detect_orientation, estimate_skew, prepare_page, rotate_by
from sohoa.models.stamps import find_stamps


@pytest.fixture(scope="module")
def letter_rgb(letter_png):
    return np.asarray(Image.open(letter_png).convert("RGB"))


@pytest.mark.parametrize("angle", [-6.0, -2.5, 1.0, 4.0, 9.0])
def test_deskew_recovers_angle(letter_rgb, angle):
    skewed = rotate_by(letter_rgb, angle)
    gray = np.asarray(Image.fromarray(skewed).convert("L"))
    assert estimate_skew(gray) == pytest.approx(-angle, abs=0.3)


def test_upright_page_is_not_deskewed(letter_rgb):
    assert estimate_skew(np.asarray(Image.fromarray(letter_rgb).convert("L"))) == 0.0


def test_blank_page_has_no_skew():
    assert estimate_skew(np.full((800, 600), 255, np.uint8)) == 0.0


@pytest.mark.parametrize("turn,expected", [(0, 0), (90, 270), (180, 180), (270, 90)])
def test_orientation(letter_rgb, turn, expected):
    """``turn`` rotates the page clockwise; the correction is the rotation that undoes it."""
    gray = np.asarray(Image.fromarray(letter_rgb).convert("L").rotate(-turn, expand=True))
    assert detect_orientation(gray, 150) == expected


def test_prepare_records_rotation_and_upsamples_coarse_pages(letter_rgb):
    turned = np.asarray(Image.fromarray(letter_rgb).rotate(180))
    prepared = prepare_page(turned, 70)
    assert prepared.rotation == 180
    assert prepared.ocr_scale == pytest.approx(2.0) and prepared.ocr_dpi == 140
    assert prepared.image.shape == letter_rgb.shape


def test_red_seal_found_and_black_text_is_not(letter_rgb):
    stamps = find_stamps(letter_rgb, 150)
    assert len(stamps) == 1
    x0, y0, x1, y1 = stamps[0]
    assert 150 < x1 - x0 < 250 and 150 < y1 - y0 < 250
    gray_only = np.asarray(Image.fromarray(letter_rgb).convert("L").convert("RGB"))
    assert find_stamps(gray_only, 150) == []
