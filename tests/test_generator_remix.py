"""sohoa data generate --remix: varied training templates that never read a held-out template."""
from __future__ import annotations

import json
import random

from click.testing import CliRunner

from sohoa.data.dataset import template_splits
from sohoa.data.generator.compose import templates
from sohoa.data.generator.remix import FIELD_MARK, label_pools, pick_train_template, remix, train_templates
from sohoa.models.fields.normalize import normalize_field


def _split():
    return template_splits({t["id"]: t["doc_type"] for t in templates()})


def test_remix_reads_only_training_templates():
    split = _split()
    assert {t["id"] for t in train_templates()} == {t for t, s in split.items() if s == "train"}
    rng = random.Random(0)
    picked = {pick_train_template(rng)["id"] for _ in range(400)}
    assert picked and all(split[t] == "train" for t in picked)
    assert {t["doc_type"] for t in train_templates()} == {t["doc_type"] for t in templates()}
    # every form line of a remix comes from a training template (its value) or its base
    train_values = {it["value"] for t in train_templates() for el in t["elements"] for it in el.get("items", [])
                    if "value" in it}
    for seed in range(30):
        base = pick_train_template(random.Random(seed))
        out = remix(base, random.Random(seed))
        assert out["id"] == base["id"] and out["doc_type"] == base["doc_type"]
        for el in out["elements"]:
            for it in el.get("items", []):
                assert "value" not in it or it["value"] in train_values


def test_remix_varies_labels_and_keeps_each_field_once():
    base = next(t for t in train_templates() if t.get("holder") == "person"
                and any(el.get("type") == "form" for el in t["elements"]))
    labels, counts = set(), []
    for seed in range(40):
        out = remix(base, random.Random(seed))
        marks = FIELD_MARK.findall(repr([it.get("value", "") for el in out["elements"] for it in el.get("items", [])]))
        counts.append(len(marks) - len(set(marks)))
        labels |= {it["label"][0] for el in out["elements"] if el.get("type") == "form"
                   for it in el["items"] if "label" in it}
    assert max(counts) == 0  # no field printed by two form lines
    base_labels = {lb for el in base["elements"] if el.get("type") == "form" for it in el["items"]
                   for lb in it.get("label", [])}
    assert len(labels - base_labels) >= 10  # redrawn from the pools, not only the base's own
    # a field's pool holds the training templates' labels and the lexicon's
    assert {"Họ và tên:", "Họ tên:"} <= set(label_pools()["<<holder_name>>"])


def test_generate_remix_lands_in_train_with_normalized_fields(tmp_path):
    from sohoa.data.cli import data

    out = tmp_path / "remix"
    res = CliRunner().invoke(data, ["generate", "--n", "4", "--out", str(out), "--seed", "5", "--workers", "1",
                                    "--remix", "--no-lines"])
    assert res.exit_code == 0, res.output
    split = _split()
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*-remix.gt.json"))]
    assert len(gts) == 4
    for gt in gts:
        assert gt["generator"]["remix"] is True and split[gt["template"]] == "train"
        for name, f in gt["fields"].items():
            assert normalize_field(name, f["value"]) == f["value"]
    assert json.loads((out / "generation.json").read_text())["remix"] is True
    import datasets
    dd = datasets.load_from_disk(str(out / "dataset"))
    assert set(dd) == {"train"}

    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--remix",
                                    "--template", next(t for t, s in split.items() if s == "test")])
    assert bad.exit_code != 0 and "not a training-split template" in bad.output
