"""Trained model folder → ``models/zoo/layoutlm/<version>/``: ONNX (dynamic batch and sequence
axes, opset 17), int8 dynamic quantization with onnxruntime's tools, a parity check of both
against torch, the tokenizer and ``manifest.json``.

Parity (stated tolerance): on the validation pages, fp32 ONNX logits within ``FP32_ATOL`` of
torch and the argmax of every head identical on >= 99.9 % of positions; int8 is lossy by design,
so its check is argmax agreement >= ``INT8_MIN_AGREE`` per head (max abs diff is reported).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shlex
import shutil
import sys
from pathlib import Path

import numpy as np
import torch

from sohoa.training.model import load as load_torch
from sohoa.training.train import Featurizer, collate, forward, read_jsonl

FP32_ATOL = 1e-3
INT8_MIN_AGREE = 0.97
INPUTS = ["input_ids", "bbox", "token_type_ids", "attention_mask"]
OUTPUTS = ["doc_logits", "field_logits", "role_logits"]


def model_inputs(model) -> list[str]:
    return INPUTS + (["rule_tags"] if getattr(model, "stacked", False) else [])


def export_onnx(model, path: Path, opset: int = 17) -> None:
    model.eval()
    L = 16
    dummy = (torch.ones(2, L, dtype=torch.long), torch.zeros(2, L, 4, dtype=torch.long),
             torch.zeros(2, L, dtype=torch.long), torch.ones(2, L, dtype=torch.long))
    names = model_inputs(model)
    if "rule_tags" in names:
        dummy = dummy + (torch.zeros(2, L, dtype=torch.long),)
    dyn = {k: {0: "batch", 1: "seq"} for k in names}
    dyn.update({"doc_logits": {0: "batch"}, "field_logits": {0: "batch", 1: "seq"}, "role_logits": {0: "batch", 1: "seq"}})
    with torch.no_grad():
        torch.onnx.export(model, dummy, str(path), input_names=names, output_names=OUTPUTS,
                          dynamic_axes=dyn, opset_version=opset, dynamo=False, do_constant_folding=True)


def quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre = dst.with_suffix(".pre.onnx")
    try:
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        base = pre
    except Exception:  # noqa: BLE001 - pre-processing is an optimization only
        base = src
    # MatMul/Gemm weights to int8; embeddings (Gather) stay fp32: they are lookups, not compute.
    quantize_dynamic(str(base), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    if pre.exists():
        pre.unlink()


def parity(model, onnx_paths: dict[str, Path], feat: Featurizer, examples: list[dict], max_windows: int = 64) -> dict:
    import onnxruntime as ort

    items = [it for ex in examples for it in feat.windows(ex)[1]][:max_windows]
    pad = feat.tok.token_to_id("[PAD]")
    res = {}
    sessions = {k: ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for k, p in onnx_paths.items()}
    stats = {k: {"max_abs_diff": 0.0, "agree": [0, 0, 0], "n": [0, 0, 0]} for k in sessions}
    for i in range(0, len(items), 8):
        b = collate(items[i:i + 8], pad, "cpu")
        with torch.no_grad():
            ref = [t.numpy() for t in forward(model, b)]
        feeds = {k: b[k].numpy() for k in model_inputs(model)}
        mask = feeds["attention_mask"].astype(bool)
        for name, sess in sessions.items():
            got = sess.run(OUTPUTS, feeds)
            st = stats[name]
            for h, (r, g) in enumerate(zip(ref, got)):
                if h == 0:
                    diff = np.abs(r - g).max()
                    agree = (r.argmax(-1) == g.argmax(-1))
                else:
                    diff = np.abs(r - g)[mask].max()
                    agree = (r.argmax(-1) == g.argmax(-1))[mask]
                st["max_abs_diff"] = max(st["max_abs_diff"], float(diff))
                st["agree"][h] += int(agree.sum())
                st["n"][h] += int(agree.size)
    for name, st in stats.items():
        agree = {head: st["agree"][h] / max(1, st["n"][h]) for h, head in enumerate(("doc", "field", "role"))}
        if name == "fp32":
            ok = st["max_abs_diff"] <= FP32_ATOL and min(agree.values()) >= 0.999
            tol = f"max |onnx - torch| <= {FP32_ATOL} and argmax agreement >= 0.999"
        else:
            ok = min(agree.values()) >= INT8_MIN_AGREE
            tol = f"argmax agreement >= {INT8_MIN_AGREE} per head (int8 weights are lossy)"
        res[name] = {"max_abs_diff": round(st["max_abs_diff"], 6), "argmax_agreement": agree,
                     "windows": len(items), "tolerance": tol, "ok": bool(ok)}
    return res


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(model_dir: Path, out: Path, version: str | None = None, metrics: dict | None = None,
           check_examples: list[dict] | None = None, command: str | None = None, log=print) -> dict:
    model_dir, out = Path(model_dir), Path(out)
    cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    version = version or out.name
    out.mkdir(parents=True, exist_ok=True)
    model = load_torch(model_dir)
    fp32, int8 = out / "model.fp32.onnx", out / "model.int8.onnx"
    export_onnx(model, fp32)
    quantize(fp32, int8)
    shutil.copy(model_dir / "tokenizer.json", out / "tokenizer.json")
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    feat = Featurizer(tok, cfg["labels"], cfg["model"]["max_len"], cfg["model"]["stride"],
                      stacked=bool(cfg["model"].get("n_rule_tags")))
    if check_examples is None:
        prepared = Path(cfg["train"]["prepared"])
        check_examples = read_jsonl(prepared / "validation.jsonl")[:40] if prepared.exists() else []
    if not check_examples:  # a random page is enough to compare the graphs
        rng = np.random.default_rng(0)
        words = [tok.id_to_token(int(i)) for i in rng.integers(5, tok.get_vocab_size(), 200)]
        boxes = [sorted(rng.integers(0, 1000, 2).tolist()) for _ in words]
        check_examples = [{"words": words, "boxes": [[a, a, b, b] for a, b in boxes],
                           "input_roles": ["body"] * len(words), "field_tags": ["O"] * len(words),
                           "role_tags": [None] * len(words), "doc_type": cfg["labels"]["doc_types"][0]}]
    check = parity(model, {"fp32": fp32, "int8": int8}, feat, check_examples)
    log(json.dumps(check))
    data = {}
    if (model_dir / "data.json").exists():
        data = json.loads((model_dir / "data.json").read_text(encoding="utf-8"))
    manifest = {
        "name": "layoutlm", "version": version,
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "heads": ["doc_type", "fields", "line_role"],
        "inputs": model_inputs(model),
        "architecture": {k: cfg["model"][k] for k in ("vocab_size", "hidden_size", "num_hidden_layers",
                                                      "num_attention_heads", "intermediate_size", "max_len")},
        "config": {"max_len": cfg["model"]["max_len"], "stride": cfg["model"]["stride"]},
        "labels": cfg["labels"],
        "calibration": cfg.get("calibration", {}),
        "files": {"onnx_fp32": fp32.name, "onnx_int8": int8.name, "tokenizer": "tokenizer.json"},
        "sha256": {p.name: file_sha(p) for p in (fp32, int8, out / "tokenizer.json")},
        "sizes_bytes": {p.name: p.stat().st_size for p in (fp32, int8, out / "tokenizer.json")},
        "training": {"data_sha256": data.get("train_sha256"), "pages": data.get("pages"),
                     "documents": data.get("documents"), "by_source": data.get("by_source"),
                     "sources": data.get("sources"), "held_out_templates": {k: data.get("templates", {}).get(k)
                                                                             for k in ("validation", "test")},
                     "best_epoch": cfg.get("best_epoch"), "seconds": cfg.get("training_seconds"),
                     "device": cfg.get("device"), "torch": cfg.get("torch"), "hyper": cfg.get("train"),
                     "validation": cfg.get("validation")},
        "onnx_check": check,
        "metrics": metrics or {},
        "reproduce": command or " ".join(shlex.quote(a) for a in sys.argv),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest
