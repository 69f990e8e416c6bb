"""Page-level validation of the layout model during training: per-word logits of prepared
pages, the metrics early stopping watches (doc-type accuracy, field span F1, role accuracy) and
the temperatures that calibrate each head. Document-level scores with normalized values are
``training.evaluate``'s.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from sohoa.models.learned.decode import decode_bio
from sohoa.models.learned.features import softmax
from sohoa.training.train import Featurizer, collate, forward


@torch.no_grad()
def page_logits(model, feat: Featurizer, examples: list[dict], device, batch_size: int = 32):
    """Per page: doc logits per window, field and role logits per word (best window)."""
    model.eval()
    encoded = [feat.windows(ex) for ex in examples]
    flat = [(pi, it) for pi, (_, items) in enumerate(encoded) for it in items]
    docs, flds, roles = [], [], []
    for i in range(0, len(flat), batch_size):
        chunk = [it for _, it in flat[i:i + batch_size]]
        b = collate(chunk, feat.tok.token_to_id("[PAD]"), device)
        d, f, r = forward(model, b)
        for k in range(len(chunk)):
            docs.append(d[k].float().cpu().numpy())
            flds.append(f[k].float().cpu().numpy())
            roles.append(r[k].float().cpu().numpy())
    out, r = [], 0
    for (win, items) in encoded:
        k = len(items)
        fw = np.zeros((win.n_words, flds[0].shape[-1] if flds else 1), np.float32)
        rw = np.zeros((win.n_words, roles[0].shape[-1] if roles else 1), np.float32)
        for wi, pos in enumerate(win.word_pos):
            w, j = pos[0]
            fw[wi] = flds[r + w][j]
            rw[wi] = roles[r + w][j]
        out.append({"doc": np.stack(docs[r:r + k]) if k else np.zeros((0, 1)), "field": fw, "role": rw})
        r += k
    return out


def gold_spans(tags: list[str]) -> dict[str, list[int]]:
    spans: dict[str, list[int]] = {}
    for i, t in enumerate(tags):
        if t != "O":
            spans.setdefault(t[2:], []).append(i)
    return spans


def evaluate_pages(model, feat: Featurizer, examples: list[dict], device, temps=(1.0, 1.0, 1.0)) -> dict:
    """Page-level validation metrics that need no normalizers: doc-type accuracy, field span F1
    (predicted word set == gold word set, per page and field), role accuracy over labelled words."""
    if not examples:
        return {}
    logits = page_logits(model, feat, examples, device)
    lab = feat.lab
    doc_ok = tp = fp = fn = role_ok = role_n = 0
    for ex, lg in zip(examples, logits):
        if len(lg["doc"]):
            pred = lab["doc_types"][int(np.argmax(softmax(lg["doc"] / temps[0]).mean(0)))]
            doc_ok += pred == ex["doc_type"]
        probs = softmax(lg["field"] / temps[1]) if len(lg["field"]) else np.zeros((0, len(lab["fields_bio"])))
        pred_spans: dict[str, tuple[float, list[int]]] = {}
        for sp in decode_bio(probs, lab["fields_bio"], gap=1):
            if sp.name not in pred_spans or sp.confidence > pred_spans[sp.name][0]:
                pred_spans[sp.name] = (sp.confidence, sp.words)
        gold = gold_spans(ex["field_tags"])
        for name in set(pred_spans) | set(gold):
            p, g = pred_spans.get(name), gold.get(name)
            if p is not None and g is not None and p[1] == g:
                tp += 1
            else:
                fp += p is not None
                fn += g is not None
        for wi, rt in enumerate(ex["role_tags"]):
            if rt is not None and wi < len(lg["role"]):
                role_n += 1
                role_ok += lab["roles"][int(np.argmax(lg["role"][wi]))] == rt
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {"pages": len(examples), "doc_acc": doc_ok / len(examples),
            "span_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0, "span_p": prec, "span_r": rec,
            "role_acc": role_ok / role_n if role_n else None}


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimizing the validation NLL (grid + refinement; no torch needed)."""
    if len(labels) == 0:
        return 1.0

    def nll(t):
        p = softmax(logits / t)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None))))
    grid = np.exp(np.linspace(math.log(0.25), math.log(8.0), 41))
    best = min(grid, key=nll)
    fine = np.linspace(best * 0.85, best * 1.15, 21)
    return float(min(fine, key=nll))


def calibrate(model, feat: Featurizer, examples: list[dict], device) -> dict:
    logits = page_logits(model, feat, examples, device)
    lab = feat.lab
    d_l, d_y, f_l, f_y, r_l, r_y = [], [], [], [], [], []
    fid = {t: i for i, t in enumerate(lab["fields_bio"])}
    rid = {t: i for i, t in enumerate(lab["roles"])}
    for ex, lg in zip(examples, logits):
        for row in lg["doc"]:
            d_l.append(row)
            d_y.append(lab["doc_types"].index(ex["doc_type"]) if ex["doc_type"] in lab["doc_types"] else 0)
        for wi, t in enumerate(ex["field_tags"]):
            if wi < len(lg["field"]):
                f_l.append(lg["field"][wi])
                f_y.append(fid.get(t, 0))
            rt = ex["role_tags"][wi]
            if rt is not None and wi < len(lg["role"]):
                r_l.append(lg["role"][wi])
                r_y.append(rid[rt])
    arr = lambda x: np.array(x, dtype=np.float32)  # noqa: E731
    return {"doc_type": fit_temperature(arr(d_l), np.array(d_y, dtype=np.int64)) if d_l else 1.0,
            "field": fit_temperature(arr(f_l), np.array(f_y, dtype=np.int64)) if f_l else 1.0,
            "role": fit_temperature(arr(r_l), np.array(r_y, dtype=np.int64)) if r_l else 1.0,
            "fitted_on": f"validation ({len(examples)} pages)"}
