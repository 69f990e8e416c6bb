"""Evaluation re-reads a cache's OCR lines with this checkout's layout and rules (training/reread.py)."""
import json

from sohoa.models.classify import classify
from sohoa.models.config import get_vocabulary
from sohoa.models.document import Page
from sohoa.models.fields.rules import extract_fields
from sohoa.models.layout import analyze
from sohoa.training.reread import relayout, reread
from sohoa_testkit import H, W
from sohoa_testkit import letter_ocr_lines as _letter_lines
from sohoa_testkit import ocr_line as line


def _cached_page() -> dict:
    """A page as a cache stores it: the pipeline's blocks, dumped to JSON and read back."""
    lines = _letter_lines() + [line(900, (110, "Bảng kê"), (400, "Số lượng")), line(940, (110, "Hồ sơ"), (400, "12"))]
    page = Page(number=1, width=W, height=H, dpi=150, rotation=0,
                blocks=analyze(lines, W, H, stamps=[(650, 600, 850, 800)], tables=[(100, 890, 700, 980)]))
    return json.loads(page.model_dump_json())


def test_the_same_code_gives_the_cached_blocks_back():
    cached = _cached_page()
    assert {b["type"] for b in cached["blocks"]} >= {"table", "stamp", "subject", "recipients"}
    again = relayout(cached)
    assert json.loads(again.model_dump_json()) == cached


def test_reread_gives_the_rules_answer_on_the_new_blocks():
    cached = _cached_page()
    reading = reread([cached])
    page = Page(**cached)
    assert (reading.doc_type, reading.doc_conf) == (classify([page], get_vocabulary()).label,
                                                    classify([page], get_vocabulary()).confidence)
    assert {k: f.value for k, f in reading.fields.items()} == {k: f.value for k, f in extract_fields([page]).items()}
    assert reading.fields["document_number"].value == "12/SYT-NVY"


def test_an_ocr_cache_loads_as_the_cache_holds_it_and_scores_line_roles(tiny_model, tmp_path):
    """`load_documents` on an OCR cache gives the re-read pages as plain dicts, the cache's shape,
    which every reader of its documents indexes (the line-role report of `sohoa export` failed on
    `Page` objects in session 30)."""
    from sohoa.training.evaluate import load_documents, open_model, role_report

    cached = _cached_page()
    gt = {"doc_id": "d1", "doc_type": "official_letter", "template": "t", "split": "test", "fields": {},
          "pages": [{"number": 1, "width": W, "height": H, "lines": []}]}
    record = {"stem": "d1", "file": "d1.png", "gt": gt,
              "result": {"pages": [cached], "doc_type": {"label": "official_letter"}, "fields": {}}}
    (tmp_path / "d1.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    docs = load_documents(tmp_path, "test")
    assert len(docs) == 1 and docs[0]["pages"] == [cached] and docs[0]["rules_doc_type"] == "official_letter"
    assert role_report(open_model(tiny_model["dir"], "onnx"), docs)["words"] >= 0


def test_training_examples_of_an_ocr_cache_are_read_by_this_checkouts_layout_and_rules():
    """A cache whose blocks and rules' answer are stale (here: all one body block, typed `other`)
    trains on this checkout's reading of its lines, the one the model is served with."""
    from sohoa.training.align import ocr_examples

    cached = _cached_page()
    stale = {**cached, "blocks": [{"type": "body", "bbox": [0, 0, W, H],
                                   "lines": [ln for b in cached["blocks"] if b["type"] != "table"
                                             for ln in b["lines"]]}]
             + [b for b in cached["blocks"] if b["type"] in ("stamp", "table")]}
    gt = {"doc_id": "d1", "doc_type": "official_letter", "template": "t", "fields": {},
          "pages": [{"number": 1, "width": W, "height": H, "lines": []}]}
    record = {"stem": "d1", "file": "d1.png", "gt": gt,
              "result": {"pages": [stale], "doc_type": {"label": "other"}, "fields": {}}}
    fresh = ocr_examples({**record, "result": {**record["result"], "pages": [cached]}}, "train")
    (ex,) = ocr_examples(record, "train")
    assert ex["rules"]["doc_type"] == "official_letter" and ex["rules"]["fields"]["document_number"] == "12/SYT-NVY"
    assert ex["words"] == fresh[0]["words"] and ex["input_roles"] == fresh[0]["input_roles"]
    assert "subject" in ex["input_roles"]


def test_the_real_check_gives_every_served_field(tiny_model, tmp_path, capsys):
    """`real_check` rows carry the whole served answer, not only what the model changed, so two
    code states compare every field (a layout change moves fields the model leaves alone)."""
    from sohoa.training import real_check

    record = {"stem": "letter", "file": "letter.png",
              "result": {"pages": [_cached_page()], "doc_type": {"label": "official_letter"}, "fields": {}}}
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "letter.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "real.json"
    assert real_check.main([str(tmp_path / "cache"), "--model", str(tiny_model["dir"]), "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert row["served"]["document_number"] == "12/SYT-NVY"
    assert all(row["served"].get(k) == v["with_model"] for k, v in row["changed"].items())
