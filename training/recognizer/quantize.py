"""Static int8 quantization of a recognizer's heavy layers, calibrated on generated pages.

Why only some layers: on this CPU (AVX2, no VNNI) int8 pays off in the pointwise convolutions,
the GEMMs that hold most of v2-small's time, while the stem and the head carry the fine detail of
the stacked tone marks. Quantizing every convolution (session 9) lost real-page accuracy (CER 0.042
to 0.054); quantizing the pointwise convolutions of the last feature stages, the fold and the
context blocks keeps the generated documents' scores and cuts the network's time by about a
quarter (training/recognizer/README.md).

Calibration lines are what the pipeline would feed the network: the OCR views of the *train*
split's pages of a generated folder (``sohoa data generate``), detected, cropped and scaled by the
engine itself. Evaluation pages never calibrate.

    sohoa recognizer quantize --model models/zoo/recognizer/v2-small --data datasets/gen400 \
        --out models/zoo/recognizer/v2-small-int8 --version v2-small-int8
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import click
import numpy as np

# The pointwise convolutions of feature stages 4-8, the fold, and the context blocks (depthwise too:
# a float island between int8 layers costs a dequantize and a quantize) of smallnet.py.
DEFAULT_NODES = r"(features\.[4-8]/pw|/fold/|/context/)"


def calibration_batches(folder: Path, model_dir: Path, pages: int, per_page: int = 8) -> tuple[list[np.ndarray], list[str]]:
    """Up to ``pages`` batches of line images (the model's input) from the train split's pages."""
    import cv2

    from sohoa.models.config import get_settings
    from sohoa.models.loading import load_path
    from sohoa.models.ocr import build_engine
    from sohoa.models.preprocess import prepare_page
    from sohoa.training.bench import discover

    settings = get_settings()
    engine = build_engine("sohoa", settings.model_copy(update={"recognizer_version": model_dir.name,
                                                               "models_dir": model_dir.parent.parent}))
    items = discover(folder, "train")
    step = max(1, len(items) // max(pages, 1))
    batches, names = [], []
    for item in items[::step][:pages]:
        page = load_path(item.path, settings.limits, settings.pdf_dpi)[0]
        prep = prepare_page(page.image, page.dpi, detect_rotation=False, max_skew=settings.max_skew_deg,
                            ocr_min_dpi=settings.ocr_min_dpi, ocr_max_dpi=settings.ocr_max_dpi)
        grey = prep.ocr_image if prep.ocr_image.ndim == 2 else cv2.cvtColor(prep.ocr_image, cv2.COLOR_RGB2GRAY)
        boxes = engine.detector.detect(grey, prep.ocr_dpi)[:per_page]
        if not boxes:
            continue
        lines = [engine.rec.scaled(grey[b.y0:b.y1, b.x0:b.x1]) for b in boxes]
        width = -(-max(s.shape[1] for s in lines) // engine.rec.stride) * engine.rec.stride
        x = np.zeros((len(lines), 3, engine.rec.height, width), np.float32)
        for n, s in enumerate(lines):
            x[n, :, :, :s.shape[1]] = s.astype(np.float32) / 127.5 - 1.0
        batches.append(x)
        names.append(item.path.name)
    return batches, names


def quantize(model_dir: Path, data: Path, out: Path, version: str, pages: int = 60,
             nodes: str = DEFAULT_NODES) -> Path:
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    batches, names = calibration_batches(data, model_dir, pages)
    if not batches:
        raise click.ClickException(f"no train-split pages with text under {data}")
    src = model_dir / "rec.onnx"
    input_name = onnx.load(str(src)).graph.input[0].name

    class Lines(CalibrationDataReader):
        def __init__(self):
            self.it = iter(batches)

        def get_next(self):
            x = next(self.it, None)
            return None if x is None else {input_name: x}

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        chosen = [n.name for n in onnx.load(str(pre)).graph.node if n.op_type == "Conv" and re.search(nodes, n.name)]
        if not chosen:
            raise click.ClickException(f"no convolution of {src} matches {nodes!r}")
        quantize_static(str(pre), str(out / "rec.onnx"), Lines(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, nodes_to_quantize=chosen)
    shutil.copy(model_dir / "charset.txt", out / "charset.txt")
    base = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest = {**{k: v for k, v in base.items() if k not in ("evaluation", "metrics", "note")},
                "version": version, "created": date.today().isoformat(), "default": False,
                "base": f"{model_dir.name} ({hashlib.sha256(src.read_bytes()).hexdigest()[:12]}), static int8",
                "quantization": {
                    "format": "QDQ, u8 activations (MinMax), s8 per-channel weights",
                    "nodes": nodes, "convolutions": len(chosen),
                    "calibration": {"folder": data.name, "split": "train", "pages": len(names),
                                    "lines": int(sum(len(b) for b in batches)),
                                    "sha256_of_page_names": hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]},
                    "command": f"sohoa recognizer quantize --model {model_dir} --data {data} --out {out} "
                               f"--version {version} --pages {pages}"}}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
