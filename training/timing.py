"""Per-page model time of the layout model on CPU, torch vs ONNX fp32 vs ONNX int8, in one run.

Wall time on a shared machine mostly measures the neighbours, so both are reported: wall
milliseconds per page, and CPU milliseconds per page of this process (``time.process_time``)
with one intra-op thread, which is what a page costs a core. All heads run in one pass; the
time covers encoding, the model, softmax, BIO decoding and normalization (``LearnedModel.predict``).

    python -m sohoa.training.timing --torch runs/layout/v3/full --onnx models/zoo/layoutlm/v3 --data runs/ocr/gen
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def measure(model, pages: list, repeat: int = 1) -> dict:
    model.predict(pages[:1])
    wall, cpu = [], []
    for _ in range(repeat):
        for p in pages:
            w0, c0 = time.perf_counter(), time.process_time()
            model.predict([p])
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
    return {"pages": len(cpu), "cpu_ms_mean": round(float(np.mean(cpu)), 1), "cpu_ms_p90": round(float(np.percentile(cpu, 90)), 1),
            "wall_ms_mean": round(float(np.mean(wall)), 1), "wall_ms_median": round(float(np.median(wall)), 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--torch", type=Path, required=True, help="training folder (model.pt)")
    ap.add_argument("--onnx", type=Path, required=True, help="exported zoo folder")
    ap.add_argument("--fp32", type=Path, default=None, help="folder holding model.fp32.onnx if not in --onnx")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    from sohoa.training.evaluate import TorchLearned, load_documents
    from sohoa.models.learned import LearnedModel

    docs = load_documents(a.data, a.split)
    pages = [p for d in docs for p in d["pages"]][: a.pages]
    words = [sum(len(ln.get("words") or []) for b in p["blocks"] for ln in b.get("lines") or []) for p in pages]
    out = {"pages": len(pages), "mean_words_per_page": round(float(np.mean(words)), 1), "threads": a.threads,
           "load_average": os.getloadavg(), "cpus": os.cpu_count()}
    out["torch"] = measure(TorchLearned(a.torch, threads=a.threads), pages)
    fp32_dir = a.fp32 or a.onnx
    out["onnx_fp32"] = measure(LearnedModel(fp32_dir, quantized=False, threads=a.threads), pages)
    out["onnx_int8"] = measure(LearnedModel(a.onnx, quantized=True, threads=a.threads), pages)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
