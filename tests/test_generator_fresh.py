"""Evaluation-only templates (templates_<split>.yaml for each of FRESH_SPLITS, ``sohoa data
generate --fresh-templates [SPLIT]``): each set all in its own split, never drawn by default or
extra generation, never remixed, and they leave every other template's split alone. Their labels
are checked with the others in test_generator.py. The shape checks of test_plausible.py
deliberately do not read them: fixing a check on a fresh value would be tuning on the evaluation
split."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sohoa.data.dataset import FRESH_SPLITS, template_splits
from sohoa.data.generator.compose import extra_templates, fresh_templates, templates
from sohoa.data.generator.writer import generate_one, pick_template

FRESH = {t["id"]: t["doc_type"] for t in fresh_templates("fresh")}
BY_SPLIT = {s: {t["id"]: t["doc_type"] for t in fresh_templates(s)} for s in FRESH_SPLITS}


def test_fresh_templates_are_their_own_split_and_move_nothing():
    core = {t["id"]: t["doc_type"] for t in templates()}
    extra = {t["id"]: t["doc_type"] for t in extra_templates()}
    every_fresh = {k: v for ids in BY_SPLIT.values() for k, v in ids.items()}
    assert len(every_fresh) == sum(map(len, BY_SPLIT.values()))  # no id in two sets
    assert not set(every_fresh) & (set(core) | set(extra))
    assert len(fresh_templates()) == len(every_fresh)  # no split: every evaluation-only set
    before = template_splits({**core, **extra})
    after = template_splits({**core, **extra, **every_fresh})
    assert {t: after[t] for t in before} == before
    assert {pick_template(0, i) for i in range(300)} <= set(core)
    assert {pick_template(0, i, extra=True) for i in range(300)} <= set(extra)
    assert {pick_template(0, i, fresh=True) for i in range(300)} == set(FRESH)  # True: the first set
    for split, ids in BY_SPLIT.items():
        assert set(ids.values()) == set(core.values())  # every document type has layouts in each set
        assert {after[t] for t in ids} == {split}
        assert {pick_template(0, i, fresh=split) for i in range(300)} == set(ids)
    with pytest.raises(ValueError, match="unknown evaluation-only split"):
        fresh_templates("fresh99")


@pytest.mark.parametrize("flag", [[], ["fresh2"], ["fresh3"]], ids=["fresh", "fresh2", "fresh3"])
def test_fresh_documents_reach_their_split(tmp_path, flag):
    from sohoa.data.cli import data
    from sohoa.training.ocr_cache import order, split_of, template_split_map

    want = flag[0] if flag else "fresh"
    out = tmp_path / want
    res = CliRunner().invoke(data, ["generate", "--n", "3", "--out", str(out), "--seed", "4", "--workers", "1",
                                    "--fresh-templates", *flag, "--no-lines"])
    assert res.exit_code == 0, res.output
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert len(gts) == 3 and all(gt["template"] in BY_SPLIT[want] for gt in gts)
    split = template_split_map()
    assert {split_of(gt, split) for gt in gts} == {want}
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {want}
    docs = sorted((out / "docs").glob("*.gt.json"))
    assert len(order([(p, json.loads(p.read_text())) for p in docs], split)) == 3  # the cache takes them
    assert json.loads((out / "generation.json").read_text())["fresh_templates"] == want


def test_fresh_generation_refuses_training_flags(tmp_path):
    from sohoa.data.cli import data

    for flags in (["--remix"], ["--extra-templates"]):
        bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--fresh-templates",
                                        *flags])
        assert bad.exit_code != 0 and "evaluation data" in bad.output
    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "y"),
                                    "--template", next(iter(BY_SPLIT["fresh2"]))])
    assert bad.exit_code != 0 and "add --fresh-templates fresh2" in bad.output
    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "z"), "--fresh-templates",
                                    "fresh2", "--template", next(iter(FRESH))])
    assert bad.exit_code != 0 and "among the fresh2 templates" in bad.output


def test_prepare_never_trains_on_fresh_documents(tmp_path):
    from sohoa.training.prepare import collect

    tids = {s: next(iter(ids)) for s, ids in BY_SPLIT.items()}
    for i, tid in enumerate(tids.values()):
        generate_one(tmp_path, 2, i, tid)
    out = collect([tmp_path], log=lambda *_: None)
    assert out["train"] == [] and {s: {ex["template"] for ex in out[s]} for s in tids} == \
        {s: {tid} for s, tid in tids.items()}


def test_prepare_trains_on_the_blind_sets_named_and_no_other(tmp_path):
    """``train_splits``: a blind set that has judged becomes training data; the rest stay held out."""
    from sohoa.training.prepare import collect

    tids = {s: next(iter(ids)) for s, ids in BY_SPLIT.items() if s in ("fresh3", "fresh8")}
    for i, tid in enumerate(tids.values()):
        generate_one(tmp_path, 2, i, tid)
    out = collect([tmp_path], log=lambda *_: None, line_variants=2, train_splits=("fresh3",))
    assert {ex["template"] for ex in out["train"]} == {tids["fresh3"]}
    assert out["fresh3"] == [] and {ex["template"] for ex in out["fresh8"]} == {tids["fresh8"]}
    # Training pages get their noisy copies, held-out ones are read once.
    assert len(out["train"]) == 2 * len({ex["id"] for ex in out["train"] if not ex["id"].endswith("-v1")})
    with pytest.raises(SystemExit, match="unknown split"):
        collect([tmp_path], log=lambda *_: None, train_splits=("fresh99",))


def test_ocr_cache_of_one_split_only(tmp_path):
    """An evaluation cache of the held-out templates only: the other documents are not read."""
    from sohoa.training.ocr_cache import main

    fresh2 = next(iter(BY_SPLIT["fresh2"]))
    generate_one(tmp_path / "src", 3, 0, fresh2, fresh="fresh2")
    generate_one(tmp_path / "src", 3, 1, next(iter(t["id"] for t in extra_templates()
                                                    if t.get("split", "train") == "train")), extra=True)
    assert main([str(tmp_path / "src"), "--out", str(tmp_path / "cache"), "--split", "fresh2"]) == 0
    cached = [json.loads(p.read_text()) for p in (tmp_path / "cache").glob("*.json")]
    assert [c["gt"]["template"] for c in cached] == [fresh2]
    with pytest.raises(SystemExit):
        main([str(tmp_path / "src"), "--out", str(tmp_path / "cache2"), "--split", "tset"])
