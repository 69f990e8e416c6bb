"""Fit and check the field-confidence model (``models/fields/confidence.py``).

Rows are the fields the pipeline answers on the documents of an OCR cache, as served: the layout
model's role head relabels blocks, the rules read them, the merge keeps what it keeps. The label
is whether the field matches the ground truth (strict, the bench's definition; a field the truth
lacks is wrong). Fit on the training split, report on another: how many of the wrong fields a
reviewer finds in the lowest-confidence 10 %, with the rules' confidence and with the fitted one,
and the reliability (predicted vs observed). ``--loto`` adds a leave-one-template-out check.

The shipped ``models/fields/field_confidence.json`` (its command and data hash are inside):

    sohoa data generate --n 400 --out datasets/gen400 --seed 0 --workers 2
    SOHOA_OCR_THREADS=1 python -m sohoa.training.ocr_cache datasets/gen400 --out runs/ocr/gen400 --workers 2
    python -m sohoa.training.field_confidence fit --data runs/ocr/gen400 --split train --loto
    python -m sohoa.training.field_confidence eval --data runs/ocr/gen400 --split validation

(it was fitted on a cache of the training split's documents alone, ``runs/ocr/gen400-train``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from sohoa.models.fields.confidence import FEATURES, FILE, FieldConfidence, field_features, words_by_page
from sohoa.models.learned.merge import merge_answer
from sohoa.training.evaluate import load_documents, open_model, predict_documents
from sohoa.training.metrics import lowest_share, values_match


def field_rows(data: Path, model_dir: Path | None, split: str | None) -> list[dict]:
    """One row per answered field: doc, template, name, features, rules' confidence, correct."""
    if model_dir is None:
        from sohoa.models.config import get_settings
        from sohoa.models.learned import find_model_dir
        st = get_settings()
        model_dir = find_model_dir(st.models_dir, st.classifier_version or st.extractor_version)
    model = open_model(model_dir)
    docs = load_documents(data, split)
    rows = []
    for r in predict_documents(model, docs):
        d, pred = r["doc"], r["pred"]
        gt = {k: v["value"] for k, v in (d["gt"].get("fields") or {}).items() if v.get("value")}
        _, _, merged = merge_answer(pred.doc_type, pred.doc_scores, pred.fields, d["rules_doc_type"],
                                    d.get("rules_doc_conf", 0.0), d["rules_fields"], **model.thresholds,
                                    pages=d["pages"])
        words = words_by_page(d["pages"])
        for name, f in merged.items():
            rows.append({"doc": d["doc_id"], "template": d["gt"].get("template"), "name": name,
                         "features": field_features(name, f, words.get(int(f.get("page", 1)), [])),
                         "confidence": float(f.get("confidence", 0.0)),
                         "correct": name in gt and values_match(str(f["value"]), gt[name])})
    return rows


def _design(rows: list[dict], names: list[str], features: tuple[str, ...]) -> np.ndarray:
    x = np.array([[r["features"][k] for k in features] for r in rows], np.float64).reshape(len(rows), len(features))
    onehot = np.array([[float(r["name"] == n) for n in names] for r in rows], np.float64)
    return np.hstack([np.ones((len(rows), 1)), x, onehot])


# Chosen by leave-one-template-out over the training and validation templates (gen400 seed 0):
# the word confidences and the rules' own carry what transfers to new templates; per-field
# biases and the other features fit the training templates' habits.
DEFAULT_FEATURES = ("rules_conf", "ocr_min", "ocr_mean")


def fit(rows: list[dict], l2: float = 1.0, iters: int = 50, features: tuple[str, ...] = DEFAULT_FEATURES,
        per_field: bool = False) -> FieldConfidence:
    """L2-regularised logistic regression by Newton steps (the bias unpenalised). ``features``:
    the base features used; ``per_field``: one bias per field name."""
    names = sorted({r["name"] for r in rows}) if per_field else []
    X = _design(rows, names, features)
    y = np.array([float(r["correct"]) for r in rows])
    w = np.zeros(X.shape[1])
    pen = np.full(X.shape[1], l2)
    pen[0] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        grad = X.T @ (p - y) + pen * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    k = len(features)
    return FieldConfidence({f: round(float(v), 6) for f, v in zip(features, w[1:1 + k])}, round(float(w[0]), 6),
                           {n: round(float(v), 6) for n, v in zip(names, w[1 + k:])})


def leave_one_template_out(rows: list[dict], **kw) -> dict:
    """Every row scored by a model fitted without its template: how the fit carries to new layouts."""
    scored = []
    for t in sorted({r["template"] for r in rows}, key=str):
        cal = fit([r for r in rows if r["template"] != t], **kw)
        scored += [(cal(r["name"], r["features"]), r["correct"]) for r in rows if r["template"] == t]
    return lowest_share(scored)


def reliability(probs: list[float], correct: list[bool], bins: int = 5) -> list[dict]:
    """Equal-count bins of predicted P(correct) against the observed share correct."""
    order = np.argsort(probs)
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk):
            out.append({"fields": int(len(chunk)), "predicted": round(float(np.mean([probs[i] for i in chunk])), 3),
                        "observed": round(float(np.mean([correct[i] for i in chunk])), 3)})
    return out


def report(rows: list[dict], cal: FieldConfidence | None) -> dict:
    ok = [r["correct"] for r in rows]
    out = {"fields": len(rows), "errors": ok.count(False),
           "current": lowest_share([(r["confidence"], r["correct"]) for r in rows])}
    if cal is not None:
        probs = [cal(r["name"], r["features"]) for r in rows]
        out["calibrated"] = lowest_share(list(zip(probs, ok)))
        out["calibrated_reliability"] = reliability(probs, ok)
    out["current_reliability"] = reliability([r["confidence"] for r in rows], ok)
    return out


def _data_hash(data: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(data).glob("*.json")):
        h.update(p.name.encode())
        h.update(str(p.stat().st_size).encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sohoa-field-confidence", description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("fit", "eval"))
    ap.add_argument("--data", type=Path, required=True, help="OCR cache (training.ocr_cache) made with --engine")
    ap.add_argument("--split", default=None, help="train / validation / test (default: all)")
    ap.add_argument("--model", type=Path, default=None, help="layout model served with (default: the pipeline's)")
    ap.add_argument("--engine", default="sohoa", help="the OCR engine of the cache; the fit applies to it only")
    ap.add_argument("--features", default=",".join(DEFAULT_FEATURES), help=f"of {', '.join(FEATURES)}")
    ap.add_argument("--per-field", action="store_true", help="one bias per field name")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--loto", action="store_true", help="fit: also report leave-one-template-out")
    ap.add_argument("--file", type=Path, default=FILE, help="the fitted weights (written by fit, read by eval)")
    a = ap.parse_args(argv)
    rows = field_rows(a.data, a.model, a.split)
    if a.command == "eval":
        print(json.dumps(report(rows, FieldConfidence.load(a.file)), indent=1))
        return 0
    feats = tuple(f for f in a.features.split(",") if f)
    unknown = set(feats) - set(FEATURES)
    if unknown:
        ap.error(f"unknown features: {', '.join(sorted(unknown))}")
    cal = fit(rows, a.l2, features=feats, per_field=a.per_field)
    cal.engine = a.engine
    cal.meta = {"fitted_on": {"data": str(a.data), "split": a.split, "fields": len(rows),
                              "errors": sum(not r["correct"] for r in rows), "data_sha256": _data_hash(a.data)},
                "l2": a.l2, "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "command": "python -m sohoa.training.field_confidence " + " ".join(argv if argv is not None else sys.argv[1:]),
                "report": report(rows, cal)}
    if a.loto:
        cal.meta["leave_one_template_out"] = leave_one_template_out(rows, l2=a.l2, features=feats, per_field=a.per_field)
    a.file.write_text(json.dumps(cal.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: cal.meta[k] for k in ("report", "leave_one_template_out") if k in cal.meta}, indent=1))
    print(f"wrote {a.file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
