"""Rules vs model on unlabelled scans (e.g. the real evaluation set): run the pipeline once with the
rules only, keep its pages, then apply the learned model to the same pages exactly as the pipeline
does, and list every document type and field where the two differ. Evaluation only.

    python -m sohoa.training.compare cache ../shared/bench/real --out runs/real-cache
    python -m sohoa.training.compare diff runs/real-cache --model models/zoo/layoutlm/v1
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}


def cache(src: Path, out: Path) -> None:
    os.environ["SOHOA_LEARNED_MODELS"] = "0"
    from sohoa.models.pipeline import Pipeline

    pipe = Pipeline()
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(p for p in src.iterdir() if p.suffix.lower() in EXTS):
        dst = out / f"{f.stem}.json"
        if dst.exists():
            continue
        t0 = time.time()
        try:
            res = json.loads(pipe.process_path(f).model_dump_json())
        except Exception as exc:  # noqa: BLE001
            print(json.dumps({"file": f.name, "error": str(exc)}), flush=True)
            continue
        dst.write_text(json.dumps({"stem": f.stem, "file": str(f), "result": res}, ensure_ascii=False), encoding="utf-8")
        print(json.dumps({"file": f.name, "s": round(time.time() - t0, 1)}), flush=True)


def diff(cache_dir: Path, model_dir: Path) -> list[dict]:
    from sohoa.models.learned.merge import merge_answer
    from sohoa.training.evaluate import open_model

    model = open_model(model_dir)
    rows = []
    for p in sorted(cache_dir.glob("*.json")):
        rec = json.loads(p.read_text(encoding="utf-8"))
        res = rec["result"]
        pred = model.predict(res["pages"], (res["doc_type"]["label"], res.get("fields") or {}))
        label, src, merged = merge_answer(pred.doc_type, pred.doc_scores, pred.fields, res["doc_type"]["label"],
                                          res["doc_type"].get("confidence", 0.0), res.get("fields") or {},
                                          **model.thresholds, pages=res["pages"])
        rules = {k: v["value"] for k, v in (res.get("fields") or {}).items()}
        changes = {k: {"rules": rules.get(k), "merged": v["value"], "source": v["source"],
                       "confidence": v.get("confidence")}
                   for k, v in merged.items() if rules.get(k) != v["value"]}
        lost = [k for k in rules if k not in merged]
        rows.append({"file": rec["stem"], "rules_type": res["doc_type"]["label"], "model_type": pred.doc_type,
                     "model_conf": pred.doc_scores.get(pred.doc_type), "merged_type": label,
                     "changed_fields": changes, "lost_fields": lost, "ms": round(pred.ms, 1)})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cache")
    c.add_argument("src", type=Path)
    c.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("diff")
    d.add_argument("cache", type=Path)
    d.add_argument("--model", type=Path, required=True)
    d.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.cmd == "cache":
        cache(a.src, a.out)
    else:
        rows = diff(a.cache, a.model)
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        if a.out:
            a.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
