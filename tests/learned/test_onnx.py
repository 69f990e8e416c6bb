"""ONNX export of a tiny random model: parity with torch, the runtime, and the pipeline using it."""
from __future__ import annotations

import json

import numpy as np

PAGE = {"number": 1, "width": 1000, "height": 1400, "blocks": [
    {"type": "number", "bbox": [100, 100, 300, 120], "lines": [
        {"text": "Số: 123/GP-SYT", "bbox": [100, 100, 300, 120], "confidence": 0.9, "words": [
            {"text": "Số:", "bbox": [100, 100, 140, 120], "confidence": 0.9},
            {"text": "123/GP-SYT", "bbox": [150, 100, 300, 120], "confidence": 0.9}]}]},
    {"type": "title", "bbox": [300, 300, 700, 330], "lines": [
        {"text": "GIẤY PHÉP HOẠT ĐỘNG", "bbox": [300, 300, 700, 330], "confidence": 0.9, "words": []}]}]}


def test_manifest_and_parity(tiny_model):
    m = tiny_model["manifest"]
    assert m["onnx_check"]["fp32"]["ok"], m["onnx_check"]
    assert m["onnx_check"]["fp32"]["max_abs_diff"] <= 1e-3
    assert "int8" in m["onnx_check"] and m["files"]["onnx_int8"] == "model.int8.onnx"
    on_disk = json.loads((tiny_model["dir"] / "manifest.json").read_text())
    assert on_disk["version"] == "tiny" and on_disk["reproduce"]
    for name in ("model.fp32.onnx", "model.int8.onnx", "tokenizer.json"):
        assert (tiny_model["dir"] / name).stat().st_size < 25 * 1024 * 1024


def test_runtime_matches_torch_and_decodes(tiny_model):
    from sohoa.models.learned import LearnedModel, find_model_dir
    from sohoa.training.evaluate import TorchLearned

    assert find_model_dir(tiny_model["zoo"]) == tiny_model["dir"]
    onnx = LearnedModel(tiny_model["dir"], quantized=False)
    ref = TorchLearned(tiny_model["train_dir"])
    a, b = onnx.predict_pages([PAGE])[0], ref.predict_pages([PAGE])[0]
    assert np.abs(a.field_probs - b.field_probs).max() < 1e-4
    assert np.abs(a.doc_probs - b.doc_probs).max() < 1e-4
    pred = LearnedModel(tiny_model["dir"]).predict([PAGE, PAGE])
    assert pred.doc_type in onnx.doc_types and abs(sum(pred.doc_scores.values()) - 1) < 1e-2
    for f in pred.fields.values():
        assert 0 <= f["confidence"] <= 1 and f["page"] in (1,) and len(f["bbox"]) == 4
    assert len(pred.pages[0].words) == 6  # 2 OCR words + the title line split into 4


def test_pipeline_uses_the_zoo_model(tiny_model, letter_png, monkeypatch):
    from sohoa.models.config import Settings
    from sohoa.models.pipeline import Pipeline

    monkeypatch.delenv("SOHOA_LEARNED_MODELS", raising=False)
    pipe = Pipeline(Settings(models_dir=tiny_model["zoo"]))
    assert pipe.learned is not None and pipe.learned.version == "tiny"
    res = pipe.process_path(letter_png)
    assert res.models["classifier"].startswith("layoutlm/tiny+")
    assert res.fields and all(f.source in ("model", "rules") for f in res.fields.values())
    monkeypatch.setenv("SOHOA_LEARNED_MODELS", "0")
    assert Pipeline(Settings(models_dir=tiny_model["zoo"])).learned is None


RULES = ("license", {"document_number": {"value": "123/GP-SYT", "text": "Số: 123/GP-SYT", "page": 1,
                                         "bbox": [100, 100, 300, 120], "confidence": 0.9}})


def test_stacked_model_reads_the_rules(tiny_stacked_model):
    """A stacked model's fifth input is the rules' answer: exported with it, ONNX equal to torch
    with it, and the answer changes the output (the tags reach the network)."""
    from sohoa.models.learned import LearnedModel
    from sohoa.training.evaluate import TorchLearned

    m = tiny_stacked_model["manifest"]
    assert m["inputs"][-1] == "rule_tags" and m["onnx_check"]["fp32"]["ok"], m["onnx_check"]
    onnx = LearnedModel(tiny_stacked_model["dir"], quantized=False)
    ref = TorchLearned(tiny_stacked_model["train_dir"])
    assert onnx.stacked and ref.stacked
    words, win = onnx.encode(PAGE, RULES)
    number = onnx.field_names.index("document_number") + 1
    assert [int(t) for t in win.rule_tags[0, 1:3]] == [number, number]  # "Số:" and "123/GP-SYT"
    assert int(win.rule_tags[0, 0]) == 1 + len(onnx.field_names) + onnx.doc_types.index("license")
    a, b = onnx.predict_pages([PAGE], RULES)[0], ref.predict_pages([PAGE], RULES)[0]
    assert np.abs(a.field_probs - b.field_probs).max() < 1e-4
    without = onnx.predict_pages([PAGE])[0]
    assert np.abs(a.field_probs - without.field_probs).max() > 1e-4


def test_pipeline_runs_a_stacked_model(tiny_stacked_model, letter_png, monkeypatch):
    from sohoa.models.config import Settings
    from sohoa.models.pipeline import Pipeline

    monkeypatch.delenv("SOHOA_LEARNED_MODELS", raising=False)
    pipe = Pipeline(Settings(models_dir=tiny_stacked_model["zoo"]))
    assert pipe.learned is not None and pipe.learned.stacked
    res = pipe.process_path(letter_png)
    assert res.fields and all(f.source in ("model", "rules") for f in res.fields.values())


def test_a_stray_word_tagged_as_a_field_is_no_field(tiny_model, monkeypatch):
    """A one-word holder (a fragment the model filled on real scans) is dropped; a name is kept."""
    from sohoa.models.learned import LearnedModel
    from sohoa.models.learned.runtime import PagePrediction, page_words

    model = LearnedModel(tiny_model["dir"])
    page = {"number": 1, "width": 1000, "height": 1400, "blocks": [
        {"type": "body", "bbox": [100, 100, 900, 160], "lines": [
            {"text": "phụ", "bbox": [100, 100, 160, 120], "confidence": 0.9, "words": []},
            {"text": "Trần Văn Nam", "bbox": [100, 140, 400, 160], "confidence": 0.9, "words": []}]}]}
    words = page_words(page)
    tags = ["B-holder_name", "B-signer_name", "I-signer_name", "I-signer_name"]
    probs = np.full((len(words), len(model.field_labels)), 0.01)
    for i, t in enumerate(tags):
        probs[i, model.field_labels.index(t)] = 0.95
    doc = np.full(len(model.doc_types), 1 / len(model.doc_types))
    monkeypatch.setattr(model, "predict_pages", lambda pages, rules=None: [
        PagePrediction(words, probs, np.full((len(words), len(model.roles)), 1 / len(model.roles)), doc)])
    fields = model.predict([page]).fields
    assert "holder_name" not in fields
    assert fields["signer_name"]["value"] == "Trần Văn Nam"


def test_the_opening_guard_is_read_from_the_manifest(tiny_stacked_model, tmp_path):
    """`sohoa export` writes ``merge.opening_guard``; manifests without it (v5 and before) are unguarded."""
    import shutil

    from sohoa.models.learned import LearnedModel

    assert LearnedModel(tiny_stacked_model["dir"]).thresholds["opening_guard"] is False
    guarded = tmp_path / "guarded"
    shutil.copytree(tiny_stacked_model["dir"], guarded)
    manifest = json.loads((guarded / "manifest.json").read_text())
    manifest["merge"] = {**(manifest.get("merge") or {}), "opening_guard": True}
    (guarded / "manifest.json").write_text(json.dumps(manifest))
    assert LearnedModel(guarded).thresholds["opening_guard"] is True
