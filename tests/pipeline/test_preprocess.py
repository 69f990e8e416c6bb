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


def test_pale_seal_of_a_low_resolution_jpeg_is_found():
    """A seal scanned at 70 dpi and JPEG-compressed comes out pale pink (saturation ~45)."""
    import io

    import cv2
    page = np.full((900, 600, 3), 255, np.uint8)
    cv2.putText(page, "Le Thi Bich Thuan", (300, 700), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 2)
    pale = (240, 190, 200)  # RGB pink, HSV saturation ~53
    cv2.circle(page, (380, 600), 48, pale, 3)
    cv2.circle(page, (380, 600), 36, pale, 1)
    cv2.putText(page, "SO", (365, 605), cv2.FONT_HERSHEY_SIMPLEX, 0.4, pale, 1)
    page = cv2.GaussianBlur(page, (3, 3), 0)
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, format="JPEG", quality=60)
    jpeg = np.asarray(Image.open(buf).convert("RGB"))
    hsv = cv2.cvtColor(jpeg, cv2.COLOR_RGB2HSV)
    assert hsv[..., 1].max() < 70  # pale: the old saturation cut (70) would have missed it
    stamps = find_stamps(jpeg, 70)
    assert len(stamps) == 1
    x0, y0, x1, y1 = stamps[0]
    assert x0 < 380 < x1 and y0 < 600 < y1
    assert y1 < 690  # the black name under it is not part of the seal


def test_signature_scribble_next_to_a_seal_is_dropped_printed_text_kept():
    import cv2

    from sohoa.models.ocr.base import OcrLine, OcrWord
    from sohoa.models.stamps import drop_signature_ink
    page = np.full((600, 600, 3), 255, np.uint8)
    seal = (300, 300, 400, 400)
    cv2.rectangle(page, (120, 50), (200, 70), (10, 10, 10), -1)      # printed word far away, black
    cv2.rectangle(page, (420, 340), (480, 350), (60, 60, 170), -1)   # blue scribble beside the seal
    cv2.rectangle(page, (320, 420), (380, 440), (15, 15, 15), -1)    # the signer's name under it, black
    cv2.rectangle(page, (60, 500), (120, 510), (60, 60, 170), -1)    # blue ink far from the seal
    scribble = OcrWord("LOU_", (420, 338, 480, 352), 0.3)
    name = OcrWord("Thuận", (320, 418, 380, 442), 0.5)
    lines = [OcrLine([OcrWord("Sở", (120, 48, 200, 72), 0.9)]), OcrLine([scribble]), OcrLine([name]),
             OcrLine([OcrWord("12", (60, 498, 120, 512), 0.4)])]
    kept = drop_signature_ink(lines, page, [seal])
    assert [ln.text for ln in kept] == ["Sở", "Thuận", "12"]
    assert drop_signature_ink(lines, page, []) == lines


def test_text_over_a_seal_survives_the_fading():
    from sohoa.models.stamps import fade_stamps

    image = np.full((120, 120, 3), 255, np.uint8)
    image[20:100, 20:100] = (215, 45, 40)  # the seal's red ink
    image[55:60, 30:90] = (20, 20, 20)  # a black stroke printed over it
    image[60:62, 30:90] = (110, 25, 25)  # its edge, blended with the red at low resolution
    gray = np.asarray(Image.fromarray(image).convert("L"))
    out = fade_stamps(gray, image, [(20, 20, 100, 100)])
    assert (out[25:50, 25:95] == 255).all()  # the red is paper now
    assert out[57, 50] < 60 and out[61, 50] < 130  # the stroke and its blended edge are still ink
