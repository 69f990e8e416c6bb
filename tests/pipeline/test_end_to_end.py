"""The whole pipeline on a rendered letter (known values) and on real scans."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from sohoa.models.document import DocumentResult, result_json_schema

from sohoa_testkit import LETTER, png_bytes, render_letter

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "models" / "result.schema.json"


def test_committed_schema_is_current():
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == result_json_schema(), \
        "models/result.schema.json is stale: run `sohoa schema > models/result.schema.json`"


def test_rendered_letter(pipeline, letter_bytes):
    result = pipeline.process_bytes(letter_bytes, "letter.png")
    jsonschema.validate(json.loads(result.to_json()), result_json_schema())
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type.label == "official_letter"
    assert values["document_number"] == "1234/SYT-NVY"
    assert values["issue_date"] == "2024-03-12"
    assert values["issue_place"] == "Ninh Thuận"
    assert values["issuing_authority"] == "SỞ Y TẾ"
    assert values["parent_authority"] == "UBND TỈNH NINH THUẬN"
    assert values["signer_title"] == LETTER["signer_title"]
    assert values["signer_name"] == LETTER["signer_name"]
    assert values["subject"] == " ".join(LETTER["subject"])
    # Reading order: agency column, then motto column, then the body.
    text = result.text
    assert text.index("SỞ Y TẾ") < text.index("CỘNG HÒA") < text.index("Kính gửi") < text.index("Thực hiện")
    assert text.index("Nơi nhận") < text.index("GIÁM ĐỐC")
    page = result.pages[0]
    assert page.rotation == 0 and [b.type for b in page.blocks].count("stamp") == 1
    for name, field in result.fields.items():  # every field is located on the page
        x0, y0, x1, y1 = field.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, name
    assert set(result.timings_ms) >= {"load", "preprocess", "ocr", "layout", "classify", "extract", "total"}


def test_upside_down_letter_is_turned_and_boxes_follow(pipeline):
    result = pipeline.process_bytes(png_bytes(render_letter().rotate(180), dpi=(150, 150)), "turned.png")
    assert result.pages[0].rotation == 180
    assert result.fields["document_number"].value == "1234/SYT-NVY"
    assert result.fields["document_number"].bbox[1] < result.pages[0].height / 4  # top of the corrected page


def test_real_letter(pipeline, real_dir):
    result = pipeline.process_path(real_dir / "danang-sgddt-2020-p1.jpg")
    DocumentResult.model_validate_json(result.to_json())
    values = {k: v.value for k, v in result.fields.items()}
    assert result.doc_type.label == "official_letter"
    assert values["document_number"] == "1906/SGDĐT-CTrTT"
    assert values["issue_date"] == "2020-07-26"
    assert values["issuing_authority"] == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"


def test_cli_writes_results_and_reports_bad_files(tmp_path, letter_png):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sohoa.serving.cli", "process", str(bad), str(letter_png),
                           str(empty), "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("sohoa: ")]
    assert len(errors) == 2 and "notes.png" in errors[0] and "empty.pdf" in errors[1]
    assert "3 files (1 ok, 2 failed), 1 pages" in proc.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["letter.json"]
    jsonschema.validate(json.loads((out / "letter.json").read_text()), json.loads(SCHEMA_PATH.read_text()))


def test_cli_help_documents_every_option():
    proc = subprocess.run([sys.executable, "-m", "sohoa.serving.cli", "process", "--help"],
                          capture_output=True, text=True, timeout=60)
    for option in ("--out", "--engine", "--dpi", "--workers", "--progress"):
        assert option in proc.stdout


def test_unknown_engine_is_a_usage_error(tmp_path, letter_png):
    proc = subprocess.run([sys.executable, "-m", "sohoa.serving.cli", "process", str(letter_png), "--out",
                           str(tmp_path), "--engine", "nope"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown engine" in proc.stderr
