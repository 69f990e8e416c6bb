"""`sohoa eval` on a generated folder, with merge thresholds chosen on a split of the same data."""
from __future__ import annotations

import json
from pathlib import Path

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
    # ... so the paired comparison finds no difference, and nothing clearly above the rules
    paired = rep["paired"]["merged_vs_rules"]
    assert paired["documents"] == 3 and paired["strict_f1"]["difference"] == 0
    assert not paired["strict_f1"]["clearly_above"] and set(rep["paired"]) == {"model_vs_rules", "merged_vs_rules"}
    assert set(rep["decoding"]) == {"join_fields", "snap_fields"}
    # The model's type replaces the rules' only where its calibrated probability favours it.
    assert rep["thresholds"]["doc_min_conf"] >= 0.5
    # Fields also sorted by the confidence the pipeline serves (P(correct), rescored after the merge).
    assert rep["confidence"]["served"]["fields"] == rep["confidence"]["merged"]["fields"] > 0


def test_eval_says_when_the_threshold_split_is_empty(tiny_model, tmp_path):
    from sohoa.training.cli import eval_cmd

    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), "--data", str(empty),
                                        "--thresholds-from", "validation"])
    assert res.exit_code == 2 and "no documents of split 'validation'" in res.output


def test_eval_pools_the_splits_it_chooses_on(tiny_model, tmp_path):
    """Several comma-separated splits are pooled for the choice; each must hold documents (a wrong
    folder must not shrink the pool unseen), and "all" or an unknown split is refused."""
    from sohoa.data.cli import data
    from sohoa.training.cli import eval_cmd
    from sohoa.training.ocr_cache import template_split_map

    split = template_split_map()
    gen = tmp_path / "gen"
    for n, name in enumerate(("validation", "test")):
        tpl = next(t for t, s in sorted(split.items()) if s == name)
        res = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(gen / name), "--seed", str(5 + n),
                                        "--workers", "1", "--template", tpl, "--no-dataset"])
        assert res.exit_code == 0, res.output
    folders = ["--data", str(gen / "validation"), "--data", str(gen / "test")]
    out = tmp_path / "eval.json"
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), *folders, "--split", "test",
                                        "--thresholds-from", "validation,test", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["thresholds_chosen_on"] == "validation+test" and rep["documents"] == 1

    # two splits scored as one pool (two blind sets read as one split of unseen templates)
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), *folders, "--split", "test,validation",
                                        "--out", str(out)])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["split"] == "test+validation" and rep["documents"] == 2
    res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), *folders, "--split", "test,fresh2"])
    assert res.exit_code == 2 and "no documents of split 'fresh2' to score" in res.output, res.output

    def refused(value):
        res = CliRunner().invoke(eval_cmd, ["--model", str(tiny_model["dir"]), *folders, "--thresholds-from", value])
        assert res.exit_code == 2, res.output
        return res.output
    assert "no documents of split 'fresh2'" in refused("validation,fresh2")
    assert "stands alone" in refused("all,validation")
    assert "fresh99: not one of" in refused("validation,fresh99")


def test_export_chooses_thresholds_on_calibration_templates(tiny_model, tmp_path):
    """`sohoa export --eval-data` picks the merge thresholds on the calibration templates when the
    data holds some (else on validation), and says what to do, before exporting anything, when the
    split asked for is empty."""
    from sohoa.data.cli import data
    from sohoa.training.cli import export_cmd
    from sohoa.training.ocr_cache import template_split_map

    split = template_split_map()
    calibration = next(t for t, s in sorted(split.items()) if s == "calibration")
    test = next(t for t, s in sorted(split.items()) if s == "test")
    cal, held = tmp_path / "cal", tmp_path / "test"
    for out, tpl, extra in ((cal, calibration, ["--extra-templates"]), (held, test, [])):
        res = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(out), "--seed", "4", "--workers", "1",
                                        "--template", tpl, "--no-dataset", *extra])
        assert res.exit_code == 0, res.output

    res = CliRunner().invoke(export_cmd, ["--model", str(tiny_model["train_dir"]), "--out", str(tmp_path / "none"),
                                          "--eval-data", str(held), "--thresholds-from", "calibration"])
    assert res.exit_code == 2 and "no calibration documents" in res.output and "--extra-templates" in res.output
    assert not (tmp_path / "none").exists()
    # pooled: every split named must hold documents, and the error names the empty one
    res = CliRunner().invoke(export_cmd, ["--model", str(tiny_model["train_dir"]), "--out", str(tmp_path / "none"),
                                          "--eval-data", str(held), "--eval-data", str(cal),
                                          "--thresholds-from", "calibration,fresh8"])
    assert res.exit_code == 2 and "no fresh8 documents" in res.output, res.output
    assert not (tmp_path / "none").exists()

    zoo = tmp_path / "zoo"
    res = CliRunner().invoke(export_cmd, ["--model", str(tiny_model["train_dir"]), "--out", str(zoo),
                                          "--eval-data", str(held), "--eval-data", str(cal), "--timing-pages", "1"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((zoo / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metrics"]["thresholds_from"] == "calibration (1 documents)"
    assert manifest["metrics"]["test_documents"] == 1
    assert isinstance(manifest["merge"]["override_min_conf"], dict)
    # the decoding is chosen there too, and the runtime reads it back
    from sohoa.models.learned import LearnedModel

    runtime = LearnedModel(zoo)
    assert runtime.join_fields == tuple(manifest["merge"]["join_fields"])
    assert runtime.snap_fields == tuple(manifest["merge"]["snap_fields"])
    assert manifest["merge"]["opening_guard"] is True and runtime.opening_guard  # on by default


def test_decoding_is_chosen_per_field_where_it_gains():
    """Per field, joining spans or widening them to their lines is chosen when it raises the
    field's F1 (a title over two lines; a subject missing a line's first word), not when a second
    span is another value (a signer's two title lines); the documents are decoded again with it."""
    from types import SimpleNamespace

    from sohoa.training.choose import choose_decoding

    class Decoder:
        field_names = ["title", "subject", "signer_title"]
        join_fields = snap_fields = ()

        def decode_fields(self, pages, page_preds, join_fields=(), snap_fields=()):
            return {"title": {"value": "GIẤY PHÉP XÂY DỰNG" if "title" in join_fields else "XÂY DỰNG"},
                    "subject": {"value": "Về việc cấp phép" if "subject" in snap_fields else "việc cấp phép"},
                    "signer_title": {"value": "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" if "signer_title" in join_fields
                                     else "PHÓ GIÁM ĐỐC"}}

    truth = {"title": {"value": "GIẤY PHÉP XÂY DỰNG"}, "subject": {"value": "Về việc cấp phép"},
             "signer_title": {"value": "PHÓ GIÁM ĐỐC"}}
    preds = [{"doc": {"pages": [], "gt": {"fields": truth}}, "pred": SimpleNamespace(pages=[], fields={})}
             for _ in range(3)]
    model = Decoder()
    # "both" ties with the single option that does the work; the single one is kept
    assert choose_decoding(model, preds) == {"join_fields": ["title"], "snap_fields": ["subject"]}
    assert (model.join_fields, model.snap_fields) == (("title",), ("subject",))
    assert all(r["pred"].fields["title"]["value"] == "GIẤY PHÉP XÂY DỰNG" for r in preds)


def test_export_can_take_another_models_merge(tiny_model, tmp_path):
    """`--merge-of`: a model trained on every set a choice could be made on takes a judged model's
    merge thresholds and decoding as they are (here the shipped v6's); a folder with none is refused
    before anything is exported."""
    from sohoa.models.learned import LearnedModel
    from sohoa.training.cli import export_cmd

    res = CliRunner().invoke(export_cmd, ["--model", str(tiny_model["train_dir"]), "--out", str(tmp_path / "none"),
                                          "--merge-of", str(tmp_path)])
    assert res.exit_code == 2 and "no manifest.json" in res.output, res.output
    assert not (tmp_path / "none").exists()

    v6 = Path(__file__).parents[2] / "models" / "zoo" / "layoutlm" / "v6"
    taken = json.loads((v6 / "manifest.json").read_text(encoding="utf-8"))["merge"]
    zoo = tmp_path / "zoo"
    res = CliRunner().invoke(export_cmd, ["--model", str(tiny_model["train_dir"]), "--out", str(zoo),
                                          "--merge-of", str(v6)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((zoo / "manifest.json").read_text(encoding="utf-8"))
    for key in ("override_min_conf", "fill_min_conf", "doc_min_conf", "rules_keep_conf", "opening_guard",
                "join_fields", "snap_fields"):
        assert manifest["merge"][key] == taken[key], key
    assert manifest["metrics"]["thresholds_from"].startswith(f"taken from {v6}")
    runtime = LearnedModel(zoo)
    assert runtime.thresholds["doc_min_conf"] == taken["doc_min_conf"] and runtime.snap_fields == tuple(taken["snap_fields"])
