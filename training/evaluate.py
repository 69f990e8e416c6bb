"""Evaluate the layout model on a labelled folder, against the rules on the same pages.

Documents come from an OCR cache (the pipeline's own pages and the rules' answer, as served) or
from ground-truth folders (pages rebuilt from the GT lines, no OCR; the rules run on the same
pages). Reports, per source of the answer (rules / model / merged as the pipeline merges them):
doc-type accuracy and confusion, strict and soft field P/R/F1 (``training.metrics``, the bench's
definitions), the share of wrong fields among the lowest-confidence 10 %, and model time per page.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from sohoa.models.fields.confidence import default_field_confidence, field_features, words_by_page
from sohoa.models.learned.features import pad_windows
from sohoa.models.learned.merge import merge_answer, opens
from sohoa.models.learned.runtime import LearnedModel
from sohoa.training.metrics import (FieldScores, confusion, lowest_share, paired_difference, strict_counts,
                                    values_match)


class TorchLearned(LearnedModel):
    """The same decoding as serving, with the torch model of a training folder."""

    def __init__(self, model_dir, threads: int | None = None):  # noqa: D401 - no ONNX here
        import torch
        from tokenizers import Tokenizer

        from sohoa.training.model import load

        self.dir = Path(model_dir)
        cfg = json.loads((self.dir / "config.json").read_text(encoding="utf-8"))
        from sohoa.training.prepare import type_fields

        merge = {**(cfg.get("merge") or {}), "type_fields": type_fields(Path(cfg["train"]["prepared"]))}
        meta = {"version": "torch:" + self.dir.name, "labels": cfg["labels"], "config": cfg["model"],
                "calibration": cfg.get("calibration"), "merge": merge}
        self.manifest = meta
        self._configure(meta, Tokenizer.from_file(str(self.dir / "tokenizer.json")))
        if threads:
            torch.set_num_threads(threads)
        self.model = load(self.dir)
        self.stacked = self.model.stacked
        self.onnx_file = "torch"

    def run_windows(self, wins):
        import torch

        feeds = pad_windows(wins, self.pad_id)
        names = ["input_ids", "bbox", "token_type_ids", "attention_mask"] + (["rule_tags"] if self.stacked else [])
        with torch.no_grad():
            out = self.model(*(torch.from_numpy(feeds[k]) for k in names))
        return tuple(t.numpy() for t in out)


def open_model(path, backend: str = "auto", threads: int | None = None) -> LearnedModel:
    path = Path(path)
    if backend == "torch" or (backend == "auto" and (path / "model.pt").exists()):
        return TorchLearned(path, threads)
    return LearnedModel(path, quantized=backend != "onnx-fp32", threads=threads)


# --- documents -------------------------------------------------------------------------------------

def load_documents(data: Path, split: str | None = None, limit: int | None = None) -> list[dict]:
    """[{doc_id, gt, pages, rules_doc_type, rules_fields, source}] of one labelled folder."""
    from sohoa.training.ocr_cache import split_of, template_split_map
    from sohoa.training.prepare import _is_ocr_cache
    from sohoa.training.reread import reread

    data = Path(data)
    smap = template_split_map()
    docs = []
    if _is_ocr_cache(data):
        for p in sorted(data.glob("*.json")):
            rec = json.loads(p.read_text(encoding="utf-8"))
            if split and split_of(rec["gt"], smap) != split:
                continue
            # the cached OCR lines read again by this checkout's layout, classifier and rules
            reading = reread(rec["result"]["pages"])
            docs.append({"doc_id": rec["gt"].get("doc_id", rec["stem"]), "gt": rec["gt"], "pages": reading.page_dicts(),
                         "rules_doc_type": reading.doc_type, "rules_doc_conf": reading.doc_conf,
                         "rules_fields": reading.field_dicts(),
                         "source": "ocr", "file": rec.get("file")})
            if limit and len(docs) >= limit:
                break
        return docs
    from sohoa.models import classify
    from sohoa.models.config import get_vocabulary
    from sohoa.models.fields import rules
    from sohoa.training.align import synth_page

    gts = sorted((data / "docs").glob("*.gt.json")) or sorted(data.glob("*.gt.json"))
    for p in gts:
        gt = json.loads(p.read_text(encoding="utf-8"))
        if split and split_of(gt, smap) != split:
            continue
        pages = []
        for gp in gt.get("pages") or []:
            page = synth_page(gp.get("lines") or [], int(gp["width"]), int(gp["height"]), None, noise=False)
            pages.append(page.model_copy(update={"number": int(gp["number"])}))
        dt_ = classify.classify(pages, get_vocabulary())
        fl = rules.extract_fields(pages)
        docs.append({"doc_id": gt["doc_id"], "gt": gt, "pages": pages, "rules_doc_type": dt_.label,
                     "rules_doc_conf": dt_.confidence,
                     "rules_fields": {k: v.model_dump() for k, v in fl.items()}, "source": "gt-lines",
                     "file": str(p)})
        if limit and len(docs) >= limit:
            break
    return docs


def rules_on_relabeled(model: LearnedModel, d: dict, pred) -> dict:
    """The document as the pipeline sees it with this model: block types relabeled by the role
    head where it is sure, and the rules (type, fields) run again on those blocks."""
    from sohoa.models import classify
    from sohoa.models.config import get_vocabulary
    from sohoa.models.document import Page
    from sohoa.models.fields import rules
    from sohoa.models.learned.relabel import relabel_blocks

    pages = [p if isinstance(p, Page) else Page(**p) for p in d["pages"]]
    pages = relabel_blocks(pages, pred.pages, model.roles, model.relabel_min_conf)
    dt_ = classify.classify(pages, get_vocabulary())
    fl = rules.extract_fields(pages)
    return {**d, "rules_doc_type": dt_.label, "rules_doc_conf": dt_.confidence,
            "rules_fields": {k: v.model_dump() for k, v in fl.items()},
            "heuristic_rules_doc_type": d["rules_doc_type"], "heuristic_rules_fields": d["rules_fields"]}


def predict_documents(model: LearnedModel, docs: list[dict]) -> list[dict]:
    """Model predictions per document; with ``relabel_min_conf`` the rules' answer is the one
    they give on the relabeled blocks (as served), the heuristic-only answer kept beside it."""
    out = []
    for d in docs:
        t0 = time.perf_counter()
        pred = model.predict(d["pages"], (d["rules_doc_type"], d["rules_fields"]))
        ms = (time.perf_counter() - t0) * 1000
        if getattr(model, "relabel_min_conf", None) is not None and not model.stacked:
            d = rules_on_relabeled(model, d, pred)
        out.append({"doc": d, "pred": pred, "ms": ms, "n_pages": len(d["pages"])})
    return out


def score(preds: list[dict], override_min_conf=0.5, doc_min_conf: float = 0.5, fill_min_conf=0.0,
          rules_keep_conf: float = 0.9, type_fields: dict[str, list[str]] | None = None,
          served_confidence: bool = False, opening_guard: bool = False) -> dict:
    """Rules, model and merged (as the pipeline merges, guards included) against the ground truth.
    With ``served_confidence``, also how the merged fields sort by the confidence the pipeline
    serves (``models.fields.confidence``: P(correct), rescored after the merge)."""
    rescorer = default_field_confidence() if served_confidence else None
    fs = {k: FieldScores() for k in ("rules", "model", "merged", "rules_heuristic_layout")}
    pairs = {k: [] for k in ("rules", "model", "merged", "rules_heuristic_layout")}
    conf_rows = []  # (confidence, correct, source) of merged fields
    served_rows = []  # (served confidence, correct) of merged fields
    model_rows = []
    per_doc = {k: [] for k in ("rules", "model", "merged")}  # (type right, tp, fp, fn): the paired comparison
    for r in preds:
        d, pred = r["doc"], r["pred"]
        gt_fields = {k: v["value"] for k, v in (d["gt"].get("fields") or {}).items() if v.get("value")}
        rules_fields = d["rules_fields"]
        label, _, merged = merge_answer(pred.doc_type, pred.doc_scores, pred.fields, d["rules_doc_type"],
                                        d.get("rules_doc_conf", 0.0), rules_fields, override_min_conf=override_min_conf,
                                        fill_min_conf=fill_min_conf, doc_min_conf=doc_min_conf,
                                        rules_keep_conf=rules_keep_conf, type_fields=type_fields,
                                        opening_guard=opening_guard, pages=d["pages"])
        fs["rules"].add({k: v["value"] for k, v in rules_fields.items()}, gt_fields)
        fs["rules_heuristic_layout"].add({k: v["value"] for k, v in d.get("heuristic_rules_fields", rules_fields).items()},
                                         gt_fields)
        fs["model"].add({k: v["value"] for k, v in pred.fields.items()}, gt_fields)
        fs["merged"].add({k: v["value"] for k, v in merged.items()}, gt_fields)
        truth = d["gt"]["doc_type"]
        pairs["rules"].append((truth, d["rules_doc_type"]))
        pairs["rules_heuristic_layout"].append((truth, d.get("heuristic_rules_doc_type", d["rules_doc_type"])))
        pairs["model"].append((truth, pred.doc_type))
        pairs["merged"].append((truth, label))
        for k, (typed, fields) in {"rules": (d["rules_doc_type"], rules_fields), "model": (pred.doc_type, pred.fields),
                                   "merged": (label, merged)}.items():
            per_doc[k].append((typed == truth, *strict_counts({n: f["value"] for n, f in fields.items()}, gt_fields)))
        words = words_by_page(d["pages"]) if rescorer is not None else {}
        for name, f in merged.items():
            ok = name in gt_fields and values_match(f["value"], gt_fields[name])
            conf_rows.append((float(f.get("confidence", 0.0)), ok, f["source"]))
            if rescorer is not None:
                served_rows.append((rescorer(name, field_features(name, f, words.get(int(f.get("page", 1)), []))), ok))
        for name, f in pred.fields.items():
            ok = name in gt_fields and values_match(f["value"], gt_fields[name])
            model_rows.append((float(f["confidence"]), ok))
    out = {}
    for k in fs:
        rep = fs[k].report()
        conf = confusion(pairs[k])
        out[k] = {"doc_type_accuracy": conf.get("accuracy"), "strict": rep["strict"]["micro"],
                  "soft": rep["soft"]["micro"],
                  "strict_per_field": {n: c["f1"] for n, c in rep["strict"]["per_field"].items()}}
    out["merged"]["confusion"] = confusion(pairs["merged"])
    # Papers the opening guard reads as loose later pages (it keeps their rules' type when on).
    out["merged"]["unopened_documents"] = sum(not opens(r["doc"]["pages"]) for r in preds)
    if preds:  # above the rules clearly, or within one set's noise (a paired bootstrap over the documents)
        out["paired"] = {f"{k}_vs_rules": paired_difference(per_doc["rules"], per_doc[k]) for k in ("model", "merged")}
    out["confidence"] = {"merged": lowest_share(conf_rows), "model": lowest_share(model_rows),
                         **({"served": lowest_share(served_rows)} if served_rows else {})}
    return out


def page_timing(model: LearnedModel, docs: list[dict], repeat: int = 1) -> dict:
    pages = [p for d in docs for p in d["pages"]]
    model.predict_pages(pages[:2])  # warm-up
    rules = {id(p): (d["rules_doc_type"], d["rules_fields"]) for d in docs for p in d["pages"]}
    times = []
    for _ in range(repeat):
        for p in pages:
            t0 = time.perf_counter()
            model.predict([p], rules[id(p)])
            times.append((time.perf_counter() - t0) * 1000)
    a = np.array(times)
    return {"pages": len(pages), "mean_ms": float(a.mean()), "median_ms": float(np.median(a)),
            "p90_ms": float(np.percentile(a, 90))}


def pooled_documents(data: list[Path], splits: tuple[str, ...],
                     limit: int | None = None) -> tuple[list[dict], list[str]]:
    """The documents of every split of ``splits`` ("all": every split) in ``data``, pooled, and the
    splits that hold none: the caller refuses those, or a wrong folder shrinks a pool unseen."""
    docs, empty = [], []
    for s in splits:
        pool = [d for p in data for d in load_documents(Path(p), None if s == "all" else s, limit)]
        docs += pool
        if not pool:
            empty.append(s)
    return docs, empty


class NoDocuments(ValueError):
    """A split asked for holds no document of the data."""


def evaluate(model_path, data: list[Path], split: str | tuple[str, ...] | None = "test", backend: str = "auto",
             limit: int | None = None, thresholds: dict | None = None,
             thresholds_from: str | tuple[str, ...] | None = None, log=print) -> dict:
    """``split``: one split of ``data``, several scored as one pool (each must hold documents), or
    None for every document. ``thresholds_from``: a split of ``data``, several (pooled), or "all", to
    choose the decoding and the merge thresholds on, as export does; else ``thresholds``, else the
    model's own."""
    model = open_model(model_path, backend)
    if isinstance(split, tuple) and len(split) == 1:
        split = split[0]
    if isinstance(split, tuple):
        docs, empty = pooled_documents(data, split, limit)
        if empty:
            raise NoDocuments(f"no documents of split {empty[0]!r} to score")
        split = "+".join(split)
    else:
        docs = [d for p in data for d in load_documents(Path(p), split, limit)]
    if isinstance(thresholds_from, str):
        thresholds_from = (thresholds_from,)
    if thresholds_from:
        chosen_on, empty = pooled_documents(data, thresholds_from, limit)
        if empty:
            raise NoDocuments(f"no documents of split {empty[0]!r} to choose thresholds on")
        thresholds_from = "+".join(thresholds_from)
        from sohoa.training.choose import choose_decoding, choose_thresholds  # choose scores with score()

        chosen_preds = predict_documents(model, chosen_on)
        choose_decoding(model, chosen_preds)
        thresholds = choose_thresholds(chosen_preds, type_fields=model.type_fields,
                                       opening_guard=model.opening_guard)
    preds = predict_documents(model, docs)
    th = thresholds or model.thresholds
    rep = score(preds, **th, served_confidence=True)
    n_pages = sum(r["n_pages"] for r in preds)
    decoding = {"join_fields": list(model.join_fields), "snap_fields": list(model.snap_fields)}
    rep.update({"model_path": str(model_path), "backend": model.onnx_file, "split": split, "documents": len(docs),
                "pages": n_pages, "thresholds": th, "decoding": decoding,
                **({"thresholds_chosen_on": thresholds_from} if thresholds_from else {}),
                "model_ms_per_page": sum(r["ms"] for r in preds) / max(1, n_pages),
                "sources": sorted({d["source"] for d in docs})})
    return rep


def summary(rep: dict) -> str:
    L = [f"{rep['documents']} documents, {rep['pages']} pages ({', '.join(rep['sources'])}), split {rep['split']}, "
         f"model {rep['backend']}, {rep['model_ms_per_page']:.1f} ms/page"]
    L.append(f"{'':8s} {'doc acc':>8s} {'strict P':>9s} {'strict R':>9s} {'strict F1':>9s} {'soft F1':>8s}")
    for k in ("rules_heuristic_layout", "rules", "model", "merged"):
        r = rep[k]
        s = r["strict"]
        f = lambda x: f"{x:.3f}" if x is not None else "-"  # noqa: E731
        L.append(f"{k[:8]:8s} {f(r['doc_type_accuracy']):>8s} {f(s['precision']):>9s} {f(s['recall']):>9s} "
                 f"{f(s['f1']):>9s} {f(r['soft']['f1']):>8s}")
    # per field: where the model leads or trails the rules, the question every merge threshold answers
    per = {k: rep[k].get("strict_per_field") or {} for k in ("rules", "model", "merged")}
    names = sorted(set().union(*per.values()))
    if names:
        L.append(f"{'strict F1 per field':20s} {'rules':>7s} {'model':>7s} {'merged':>7s}")
        for n in names:
            L.append(f"  {n:18s} " + " ".join(f"{per[k][n]:7.3f}" if per[k].get(n) is not None else f"{'-':>7s}"
                                              for k in ("rules", "model", "merged")))
    for k, p in (rep.get("paired") or {}).items():
        L.append(f"{k.replace('_vs_', ' - ')} (95% interval, {p['documents']} documents): " + "; ".join(
            f"{what} {p[m]['difference']:+.4f} [{p[m]['ci95'][0]:+.4f}, {p[m]['ci95'][1]:+.4f}]"
            f"{' clearly above' if p[m]['clearly_above'] else ''}"
            for m, what in (("doc_type_accuracy", "type"), ("strict_f1", "F1"))))
    dec = rep.get("decoding") or {}
    L.append(f"decoding: join {', '.join(dec.get('join_fields') or []) or '-'}; "
             f"whole lines {', '.join(dec.get('snap_fields') or []) or '-'}")
    for kind, what in (("merged", "the merge's confidence"), ("served", "the served P(correct)")):
        c = rep["confidence"].get(kind)
        if c:
            L.append(f"lowest 10% of merged fields by {what} ({c['lowest_10pct']} of {c['fields']}) hold "
                     f"{c['errors_in_lowest_10pct']} of {c['errors']} errors")
    return "\n".join(L)


def role_report(model: LearnedModel, docs: list[dict]) -> dict:
    """Line-role accuracy over OCR words with a ground-truth role: the model's role head vs the
    pipeline's layout heuristic, on the same words."""
    from sohoa.training.align import ocr_examples

    n = ok_model = ok_rules = 0
    per: dict[str, list[int]] = {}
    for d in docs:
        if d["source"] != "ocr":
            continue
        rec = {"gt": d["gt"], "stem": d["doc_id"], "file": d.get("file") or "",
               "result": {"pages": d["pages"], "doc_type": {"label": d["rules_doc_type"]}, "fields": d["rules_fields"]}}
        exs = {ex["page"]: ex for ex in ocr_examples(rec, "eval")}
        preds = model.predict_pages(d["pages"])
        for page, pp in zip(d["pages"], preds):
            ex = exs.get(int(page["number"]))
            if ex is None or len(ex["role_tags"]) != len(pp.words):
                continue
            for i, gt_role in enumerate(ex["role_tags"]):
                if gt_role is None:
                    continue
                m = model.roles[int(np.argmax(pp.role_probs[i]))] == gt_role
                r = ex["input_roles"][i] == gt_role
                n += 1
                ok_model += m
                ok_rules += r
                c = per.setdefault(gt_role, [0, 0, 0])
                c[0] += 1
                c[1] += m
                c[2] += r
    return {"words": n, "model_accuracy": ok_model / n if n else None, "heuristic_accuracy": ok_rules / n if n else None,
            "per_role": {k: {"words": v[0], "model": v[1] / v[0], "heuristic": v[2] / v[0]} for k, v in sorted(per.items())}}
