"""`sohoa eval` on a generated folder, with merge thresholds chosen on a split of the same data."""
from __future__ import annotations

import json

from click.testing import CliRunner


def test_eval_chooses_thresholds_on_a_split(tiny_model, tmp_path):
    from sohoa.data.cli import data
    from sohoa.training.cli import eval_cmd

    gen = tmp_path / "gen"
    res = CliRunner().invoke(data, ["generate", "--n", "3", "--out", str(gen), "--seed", "3", "--workers", "1",
                                    "--no-lines"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "eval.json"
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), "--data", str(gen), "--split", "all",
                                        "--thresholds-from", "all", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["documents"] == 3 and rep["thresholds_chosen_on"] == "all"
    # Chosen per field (a dict with the "*" default), not the manifest's single number.
    assert isinstance(rep["thresholds"]["override_min_conf"], dict) and "*" in rep["thresholds"]["override_min_conf"]
    # A random tiny model helps no field, so the merge keeps the rules' answer.
    assert rep["merged"]["strict"]["f1"] == rep["rules"]["strict"]["f1"]


def test_eval_says_when_the_threshold_split_is_empty(tiny_model, tmp_path):
    from sohoa.training.cli import eval_cmd

    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), "--data", str(empty),
                                        "--thresholds-from", "validation"])
    assert res.exit_code == 2 and "no documents of split 'validation'" in res.output
