"""sohoa bench: ground-truth discovery, and one end-to-end run on a generated document."""
from __future__ import annotations

import json
import shutil


from sohoa.training.bench import discover, render_markdown, run_bench, write_report


def test_text_gt_matches_variants_by_longest_prefix(tmp_path):
    for name in ("doc-p1.jpg", "doc-p1-v1-noisy.jpg", "doc-p10.jpg", "doc-p2.jpg", "other.pdf", "doc-p1.gt.txt",
                 "doc-p1.gt-corrected.txt", "doc.gt.txt", "doc-p1.json"):
        (tmp_path / name).write_text(f"text of {name}", encoding="utf-8")
    items = {i.path.name: i for i in discover(tmp_path)}
    assert sorted(items) == ["doc-p1-v1-noisy.jpg", "doc-p1.jpg", "doc-p10.jpg", "doc-p2.jpg", "other.pdf"]
    p1 = items["doc-p1.jpg"]
    assert p1.texts == {"gt": "text of doc-p1.gt.txt", "gt-corrected": "text of doc-p1.gt-corrected.txt"}
    assert p1.exact == {"gt": True, "gt-corrected": True}
    v1 = items["doc-p1-v1-noisy.jpg"]
    assert v1.texts["gt"] == "text of doc-p1.gt.txt" and v1.exact["gt"] is False
    # "doc-p10" is not a variant of "doc-p1"; it falls back to the shorter prefix "doc"
    assert items["doc-p10.jpg"].texts == {"gt": "text of doc.gt.txt"}
    assert items["other.pdf"].texts == {} and items["other.pdf"].gt is None


def test_gt_json_is_used(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "a.gt.json").write_text(json.dumps({"doc_type": "license", "text": "GIẤY PHÉP", "fields": {}}))
    (item,) = discover(tmp_path)
    assert item.gt["doc_type"] == "license" and item.texts == {"gt": "GIẤY PHÉP"}


def test_bench_end_to_end_on_one_generated_document(tmp_path):
    assert shutil.which("tesseract"), "tesseract not installed (make test installs it)"
    from sohoa.data.generator.writer import generate_one

    generate_one(tmp_path / "set", seed=1, index=0, template_id="cert_attp_a")
    (tmp_path / "set" / "docs" / "broken.png").write_bytes(b"not an image")
    report = run_bench(tmp_path / "set", peer="tesseract", progress=False)
    assert report["documents"] == 2 and len(report["errors"]) == 1
    assert report["doc_type"]["n"] == 1
    assert set(report["fields"]) == {"strict", "soft"}
    ok_doc = next(d for d in report["docs"] if "error" not in d)
    fc = report["field_confidence"]  # every predicted field ranked by its confidence
    assert fc["fields"] == len(ok_doc["pred_fields"]) and fc["errors"] == len(ok_doc["fields_wrong"]) + sum(
        1 for k in ok_doc["pred_fields"] if k not in ok_doc["fields_strict_ok"] and k not in ok_doc["fields_wrong"])
    assert "pipeline/gt/all" in report["text"] and "tesseract/gt/all" in report["text"]
    assert "pipeline/gt/exact" not in report["text"]  # "exact" is for text-only references
    assert 0 < report["text"]["tesseract/gt/all"]["bow_recall"] <= 1
    assert 0 <= report["text"]["pipeline/gt/all"]["cer_micro"] < 1.0
    sp = report["speed"]
    assert sp["pages"] == 1 and sp["pipeline_pages_per_s"] > 0 and sp["peer_pages_per_s"] > 0
    assert sp["time_ratio_pipeline_over_peer"] > 0
    j, m = write_report(report, tmp_path / "out")
    assert json.loads(j.read_text())["speed"]["pages"] == 1
    md = m.read_text()
    assert "## Document type" in md and "## Fields" in md and "broken.png" in md
    assert render_markdown(report) == md
