"""Training-only templates (templates_extra.yaml, ``sohoa data generate --extra-templates``): they
land in train, except one per document type held out as calibration, and leave the held-out split
of the 28 core templates and default generation untouched. Their labels are checked with the core
templates' in test_generator.py."""
from __future__ import annotations

import json

from click.testing import CliRunner

from sohoa.data.dataset import template_splits
from sohoa.data.generator.compose import extra_templates, templates
from sohoa.data.generator.writer import pick_template
from sohoa.models.fields.normalize import normalize_field

EXTRA_IDS = [t["id"] for t in extra_templates()]


def test_extra_templates_are_train_only_and_leave_the_core_split_alone():
    core = {t["id"]: t["doc_type"] for t in templates()}
    extra = {t["id"]: t["doc_type"] for t in extra_templates()}
    assert not set(core) & set(extra)
    assert set(extra.values()) == set(core.values())  # every document type gains layouts
    alone = template_splits(core)
    both = template_splits({**core, **extra})
    assert {t: both[t] for t in core} == alone  # held-out templates unchanged
    calibration = {t for t in extra if both[t] == "calibration"}
    assert all(both[t] == "train" for t in set(extra) - calibration)
    # one calibration template per document type, whichever templates a set holds
    assert sorted(extra[t] for t in calibration) == sorted(set(extra.values()))
    assert all(template_splits({t: extra[t]}) == {t: both[t]} for t in extra)
    # default generation never draws them; --extra-templates draws only them (types are balanced,
    # so each of the 22 `other` templates comes once in ~130 draws: 1000 draws see every one)
    assert {pick_template(0, i) for i in range(300)} <= set(core)
    assert {pick_template(0, i, extra=True) for i in range(1000)} == set(extra)
    assert {pick_template(0, i, extra=True, train_only=True) for i in range(1000)} == set(extra) - calibration


def test_remixed_extra_templates_land_in_train(tmp_path):
    from sohoa.data.cli import data

    out = tmp_path / "extra"
    res = CliRunner().invoke(data, ["generate", "--n", "4", "--out", str(out), "--seed", "3", "--workers", "1",
                                    "--extra-templates", "--remix", "--no-lines"])
    assert res.exit_code == 0, res.output
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert len(gts) == 4 and all(gt["template"] in EXTRA_IDS for gt in gts)
    for gt in gts:
        for name, f in gt["fields"].items():
            assert normalize_field(name, f["value"]) == f["value"]
    assert json.loads((out / "generation.json").read_text())["extra_templates"] is True
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {"train"}

    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--extra-templates",
                                    "--template", templates()[0]["id"]])
    assert bad.exit_code != 0 and "among the extra templates" in bad.output
    split = template_splits({t["id"]: t["doc_type"] for t in extra_templates()})
    held = next(t for t, s in split.items() if s == "calibration")
    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "y"), "--extra-templates",
                                    "--remix", "--template", held])
    assert bad.exit_code != 0 and "not a training-split template" in bad.output


def test_calibration_documents_reach_their_own_split(tmp_path):
    """Plain extra-template generation keeps the calibration documents apart: their own dataset
    split, and the split the training tools (prepare, eval) read for them."""
    from sohoa.data.cli import data
    from sohoa.training.ocr_cache import split_of, template_split_map

    split = template_split_map()
    held = next(t for t in EXTRA_IDS if split[t] == "calibration")
    out = tmp_path / "cal"
    res = CliRunner().invoke(data, ["generate", "--n", "2", "--out", str(out), "--seed", "5", "--workers", "1",
                                    "--extra-templates", "--template", held, "--no-lines"])
    assert res.exit_code == 0, res.output
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {"calibration"}
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert [split_of(gt, split) for gt in gts] == ["calibration", "calibration"]
