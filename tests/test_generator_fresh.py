"""Evaluation-only templates (templates_fresh.yaml, ``sohoa data generate --fresh-templates``):
all in the ``fresh`` split, never drawn by default or extra generation, never remixed, and they
leave every other template's split alone. Their labels are checked with the others in
test_generator.py. The shape checks of test_plausible.py deliberately do not read them: fixing a
check on a fresh value would be tuning on the evaluation split."""
from __future__ import annotations

import json

from click.testing import CliRunner

from sohoa.data.dataset import template_splits
from sohoa.data.generator.compose import extra_templates, fresh_templates, templates
from sohoa.data.generator.writer import generate_one, pick_template

FRESH = {t["id"]: t["doc_type"] for t in fresh_templates()}


def test_fresh_templates_are_their_own_split_and_move_nothing():
    core = {t["id"]: t["doc_type"] for t in templates()}
    extra = {t["id"]: t["doc_type"] for t in extra_templates()}
    assert not set(FRESH) & (set(core) | set(extra))
    assert set(FRESH.values()) == set(core.values())  # every document type has fresh layouts
    before = template_splits({**core, **extra})
    after = template_splits({**core, **extra, **FRESH})
    assert {t: after[t] for t in before} == before
    assert {after[t] for t in FRESH} == {"fresh"}
    assert {pick_template(0, i) for i in range(300)} <= set(core)
    assert {pick_template(0, i, extra=True) for i in range(300)} <= set(extra)
    assert {pick_template(0, i, fresh=True) for i in range(300)} == set(FRESH)


def test_fresh_documents_reach_the_fresh_split(tmp_path):
    from sohoa.data.cli import data
    from sohoa.training.ocr_cache import order, split_of, template_split_map

    out = tmp_path / "fresh"
    res = CliRunner().invoke(data, ["generate", "--n", "3", "--out", str(out), "--seed", "4", "--workers", "1",
                                    "--fresh-templates", "--no-lines"])
    assert res.exit_code == 0, res.output
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert len(gts) == 3 and all(gt["template"] in FRESH for gt in gts)
    split = template_split_map()
    assert {split_of(gt, split) for gt in gts} == {"fresh"}
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {"fresh"}
    docs = sorted((out / "docs").glob("*.gt.json"))
    assert len(order([(p, json.loads(p.read_text())) for p in docs], split)) == 3  # the cache takes them
    assert json.loads((out / "generation.json").read_text())["fresh_templates"] is True

    for flags in (["--remix"], ["--extra-templates"]):
        bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--fresh-templates",
                                        *flags])
        assert bad.exit_code != 0 and "evaluation data" in bad.output
    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "y"),
                                    "--template", next(iter(FRESH))])
    assert bad.exit_code != 0 and "add --fresh-templates" in bad.output


def test_prepare_never_trains_on_fresh_documents(tmp_path):
    from sohoa.training.prepare import collect

    tid = next(iter(FRESH))
    generate_one(tmp_path, 2, 0, tid)
    out = collect([tmp_path], log=lambda *_: None)
    assert out["train"] == [] and {ex["template"] for ex in out["fresh"]} == {tid}
