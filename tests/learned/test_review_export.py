"""`sohoa train --data` accepts the review tool's export (zip of a datasets folder), mixed with generated data."""
from __future__ import annotations

import io
import json
import zipfile



def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_review_export_zip_and_gt_folder_mix(tmp_path):
    import datasets
    from sohoa.serving.export import features
    from sohoa.training.prepare import prepare

    row = {"id": "doc1-p1", "doc_id": "doc1", "page": 1, "template": "review", "source": "review",
           "image": {"bytes": _png(), "path": None}, "width": 1000, "height": 1400, "doc_type": "decision",
           "lines": [{"text": "QUYẾT ĐỊNH", "bbox": [400, 300, 600, 330], "block": "title"},
                     {"text": "Số: 12/QĐ-UBND", "bbox": [100, 100, 300, 120], "block": "number"}],
           "fields": [{"name": "document_number", "value": "12/QĐ-UBND", "text": "Số: 12/QĐ-UBND", "bbox": [100, 100, 300, 120]},
                      {"name": "title", "value": "QUYẾT ĐỊNH", "text": "QUYẾT ĐỊNH", "bbox": [400, 300, 600, 330]}]}
    folder = tmp_path / "export" / "dataset"
    datasets.Dataset.from_list([row], features=features()).save_to_disk(str(folder))
    zpath = tmp_path / "review.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in folder.rglob("*"):
            if p.is_file():
                zf.write(p, arcname=str(p.relative_to(tmp_path / "export")))
    gt_dir = tmp_path / "gen"
    gt_dir.mkdir()
    (gt_dir / "x.gt.json").write_text(json.dumps({
        "doc_id": "g1", "source": "generated", "file": "x.png", "doc_type": "license", "template": "lic_kcb_a",
        "fields": {"title": {"value": "GIẤY PHÉP", "text": "GIẤY PHÉP", "page": 1, "bbox": [400, 300, 600, 330]}},
        "pages": [{"number": 1, "width": 1000, "height": 1400,
                   "lines": [{"text": "GIẤY PHÉP", "bbox": [400, 300, 600, 330], "block": "title"}]}]}), encoding="utf-8")
    info = prepare([zpath, gt_dir], tmp_path / "prep", line_variants=1, log=lambda s: None)
    train = [json.loads(line) for line in (tmp_path / "prep" / "train.jsonl").read_text().splitlines()]
    review = [ex for ex in train if ex["doc_id"] == "doc1"]
    assert review and review[0]["source"] == "review-lines" and review[0]["doc_type"] == "decision"
    assert "B-document_number" in review[0]["field_tags"] and "B-title" in review[0]["field_tags"]
    assert info["pages"]["train"] + info["pages"]["validation"] + info["pages"]["test"] == 2
