"""The int8 recognizer recipe (calibrated on generated train pages) and the side-by-side speed bench."""
import json
from pathlib import Path

import cv2
import pytest
from rapidfuzz.distance import Levenshtein

from test_engine import LINES, page  # tests/recognizer is on sys.path (rootdir-less test modules)

ZOO = Path(__file__).resolve().parents[2] / "models" / "zoo" / "recognizer"


@pytest.fixture(scope="module")
def generated_train_pages(tmp_path_factory):
    from sohoa.data.generator.writer import generate_one
    folder = tmp_path_factory.mktemp("gen")
    for i, template in enumerate(["lic_kcb_a", "cert_attp_a"]):  # both templates of the train split
        generate_one(folder, seed=3, index=i, template_id=template)
    return folder


def test_quantize_calibrates_on_train_pages_and_keeps_the_text(generated_train_pages, tmp_path):
    pytest.importorskip("onnxruntime.quantization")
    from sohoa.models.ocr.recognizer import LineRecognizer
    from sohoa.training.recognizer.quantize import quantize

    out = quantize(ZOO / "v2-small", generated_train_pages, tmp_path / "q", "q-test", pages=2)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "q-test" and manifest["default"] is False  # opt-in, never the default
    q = manifest["quantization"]
    assert q["calibration"]["split"] == "train" and q["calibration"]["pages"] == 2 and q["calibration"]["lines"] > 0
    assert q["convolutions"] == 14  # the pointwise stages, the fold and the context blocks of v2-small
    fp32, int8 = LineRecognizer(ZOO / "v2-small", threads=2), LineRecognizer(out, threads=2)
    crops = [page()[30 + 80 * i:90 + 80 * i, 40:1360] for i in range(len(LINES))]
    for a, b, want in zip(fp32.recognize_lines(crops), int8.recognize_lines(crops), LINES):
        assert Levenshtein.distance(b.text, want) <= Levenshtein.distance(a.text, want) + 1, (a.text, b.text)


def test_quantize_refuses_a_folder_without_train_pages(tmp_path):
    import click

    from sohoa.training.recognizer.quantize import quantize
    (tmp_path / "docs").mkdir()
    with pytest.raises(click.ClickException, match="no train-split pages"):
        quantize(ZOO / "v2-small", tmp_path, tmp_path / "q", "q-test", pages=2)


def test_speed_bench_times_engines_page_by_page(tmp_path):
    from sohoa.training.recognizer.bench_speed import run
    png = tmp_path / "page.png"
    cv2.imwrite(str(png), page())
    report = run([png], ["sohoa@v2-small-int8", "sohoa@v2-small"], repeats=2)
    assert report["pages"] == 1 and report["repeats"] == 2
    fast, ref = report["engines"]["sohoa@v2-small-int8"], report["engines"]["sohoa@v2-small"]
    assert fast["version"].startswith("sohoa-rec-v2-small-int8") and ref["median_ms"] > 0
    (name,) = report["per_page_ms"]["sohoa@v2-small"]
    ratio = report["per_page_ms"]["sohoa@v2-small"][name] / report["per_page_ms"]["sohoa@v2-small-int8"][name]
    assert fast["speedup_over_sohoa@v2-small"]["median"] == pytest.approx(ratio)
