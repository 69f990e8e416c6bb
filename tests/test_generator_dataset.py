"""sohoa data generate: files, the page and line datasets (schema, splits by template), the card."""
from __future__ import annotations

import json

import datasets
from click.testing import CliRunner

from sohoa.data.dataset import page_features, template_splits
from sohoa.data.generator.compose import templates

PAGE_COLUMNS = ["id", "doc_id", "page", "template", "source", "image", "width", "height", "doc_type", "lines",
                "fields"]


def test_template_splits_hold_out_layouts():
    tt = {t["id"]: t["doc_type"] for t in templates()}
    splits = template_splits(tt)
    assert set(splits) == set(tt)
    for dtype in set(tt.values()):
        mine = [splits[t] for t in tt if tt[t] == dtype]
        assert mine.count("test") == 1 and mine.count("validation") == 1 and mine.count("train") >= 2
    assert template_splits(tt) == splits  # stable


def test_generate_cli_writes_docs_datasets_and_card(tmp_path):
    from sohoa.data.cli import data

    out = tmp_path / "set"
    res = CliRunner().invoke(data, ["generate", "--n", "3", "--out", str(out), "--seed", "3", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "pages/s" in res.output
    gts = sorted((out / "docs").glob("*.gt.json"))
    assert len(gts) == 3
    n_pages = sum(len(json.loads(p.read_text())["pages"]) for p in gts)
    dd = datasets.load_from_disk(str(out / "dataset"))
    assert set(dd) <= {"train", "validation", "test"}
    assert sum(len(d) for d in dd.values()) == n_pages
    for split in dd.values():
        assert split.column_names == PAGE_COLUMNS
        assert split.features == page_features()
        row = split[0]
        assert row["id"] == f"{row['doc_id']}-p{row['page']}" and row["source"] == "generated"
        assert row["image"].size == (row["width"], row["height"])
        assert row["lines"] and all(len(ln["bbox"]) == 4 for ln in row["lines"])
        assert all(set(f) == {"name", "value", "text", "bbox"} for f in row["fields"])
    lines = datasets.load_from_disk(str(out / "lines"))
    row = next(iter(lines.values()))[0]
    assert row["text"] and row["image"].size[0] > 0 and row["block"]
    card = (out / "README.md").read_text()
    assert "pages/s" in card and "## Field coverage" in card and "## Templates" in card
    assert json.loads((out / "generation.json").read_text())["documents"] == 3
