"""`sohoa train layout` runs end to end with the page augmentations on (a tiny model, two steps)."""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")


def _form(doc_id: str, template: str) -> dict:
    lines = [("GIẤY PHÉP HOẠT ĐỘNG", "title", [300, 200, 700, 230]),
             ("Tên cơ sở: Phòng khám An Bình", "form_line", [100, 300, 700, 325]),
             ("Số CCCD: 001089446472", "form_line", [100, 340, 500, 365]),
             ("Điện thoại: 0905123456", "form_line", [100, 380, 500, 405]),
             ("GIÁM ĐỐC", "signature_block", [600, 600, 800, 625])]
    fields = {"title": "GIẤY PHÉP HOẠT ĐỘNG", "holder_name": "Phòng khám An Bình",
              "personal_id": "001089446472", "phone": "0905123456"}
    return {"doc_id": doc_id, "source": "generated", "file": f"{doc_id}.png", "doc_type": "license",
            "template": template,
            "fields": {k: {"value": v, "text": v, "page": 1, "bbox": b} for (k, v), b in
                       zip(fields.items(), [ln[2] for ln in lines[:4]])},
            "pages": [{"number": 1, "width": 1000, "height": 1400,
                       "lines": [{"text": t, "bbox": b, "block": r} for t, r, b in lines]}]}


def test_training_with_shuffled_lines_and_swapped_labels(tmp_path):
    from sohoa.training.prepare import prepare
    from sohoa.training.train import train

    gt = tmp_path / "gen"
    gt.mkdir()
    for i, tpl in enumerate(["lic_kcb_a", "lic_kcb_a", "lic_ruou"]):  # lic_ruou: a validation template
        (gt / f"d{i}.gt.json").write_text(json.dumps(_form(f"d{i}", tpl), ensure_ascii=False), encoding="utf-8")
    prepare([gt], tmp_path / "prep", line_variants=1, log=lambda s: None)
    import random

    from sohoa.training.page_augment import shuffle_form_lines, swap_labels
    pages = [json.loads(s) for s in (tmp_path / "prep" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(0)
    assert any(shuffle_form_lines(ex, rng, 1.0) is not ex for ex in pages)  # the pages do get augmented
    assert any(swap_labels(ex, rng, 1.0) is not ex for ex in pages)
    logs: list[str] = []
    train(tmp_path / "prep", tmp_path / "run", epochs=2, patience=2, batch_size=2, device="cpu",
          model_cfg={"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64},
          token_mask=0.1, shuffle_lines=1.0, swap_labels=1.0, log=logs.append)
    cfg = json.loads((tmp_path / "run" / "config.json").read_text(encoding="utf-8"))
    assert cfg["train"]["shuffle_lines"] == 1.0 and cfg["train"]["swap_labels"] == 1.0
    epochs = [json.loads(s) for s in logs if s.startswith('{"epoch"')]
    assert [e["epoch"] for e in epochs] == [1, 2] and all(e["loss"]["field"] > 0 for e in epochs)
    assert (tmp_path / "run" / "model.pt").exists()


def test_train_cli_trains_on_a_blind_set_named(tmp_path):
    """`sohoa train layout --train-split fresh3`: that blind set's pages are training pages."""
    from click.testing import CliRunner

    from sohoa.data.generator.compose import fresh_templates
    from sohoa.training.cli import train as train_cmd

    fresh3 = fresh_templates("fresh3")[0]["id"]
    gt = tmp_path / "gen"
    gt.mkdir()
    for i, tpl in enumerate(["lic_kcb_a", fresh3, "lic_ruou"]):
        (gt / f"d{i}.gt.json").write_text(json.dumps(_form(f"d{i}", tpl), ensure_ascii=False), encoding="utf-8")
    run = tmp_path / "run"
    res = CliRunner().invoke(train_cmd, ["layout", "--data", str(gt), "--out", str(run), "--train-split", "fresh3",
                                         "--line-variants", "1", "--epochs", "1", "--layers", "1", "--hidden", "32",
                                         "--batch-size", "2", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    info = json.loads((run / "data" / "data.json").read_text(encoding="utf-8"))
    assert info["train_splits"] == ["fresh3"] and info["templates"]["train"] == sorted(["lic_kcb_a", fresh3])
    assert info["templates"]["validation"] == ["lic_ruou"] and (run / "model.pt").exists()
    bad = CliRunner().invoke(train_cmd, ["layout", "--data", str(gt), "--out", str(tmp_path / "x"),
                                         "--train-split", "test"])
    assert bad.exit_code == 2 and "fresh" in bad.output
