"""The real evaluation scans, rules alone vs the pipeline with the learned model, from one cached
rules-only run (``training.compare cache``): the model is applied to the same pages exactly as the
pipeline applies it (role head relabels sure blocks, rules run again, merge). Evaluation only:
prints every document type and field that differs.

    python -m sohoa.training.real_check runs/real-cache --model models/zoo/layoutlm/v3
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(argv=None) -> int:
    from sohoa.models.learned.merge import merge_answer
    from sohoa.training.evaluate import open_model, rules_on_relabeled
    from sohoa.training.reread import reread

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cache", type=Path)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    m = open_model(a.model, "onnx")
    rows = []
    for p in sorted(a.cache.glob("*.json")):
        rec = json.loads(p.read_text(encoding="utf-8"))
        res = rec["result"]
        reading = reread(res["pages"])  # this checkout's layout, classifier and rules on the cached lines
        d = {"pages": reading.page_dicts(), "rules_doc_type": reading.doc_type, "rules_fields": reading.field_dicts(),
             "rules_doc_conf": reading.doc_conf}
        pred = m.predict(d["pages"], (d["rules_doc_type"], d["rules_fields"]))
        if m.relabel_min_conf is not None and not m.stacked:
            d = rules_on_relabeled(m, d, pred)
        label, src, merged = merge_answer(pred.doc_type, pred.doc_scores, pred.fields, d["rules_doc_type"],
                                          d["rules_doc_conf"], d["rules_fields"], **m.thresholds, pages=d["pages"])
        rules = {k: v["value"] for k, v in d["rules_fields"].items()}
        new = {k: v["value"] for k, v in merged.items()}
        changed = {k: {"rules": rules.get(k), "with_model": new.get(k), "source": merged[k]["source"] if k in merged else None}
                   for k in sorted(set(rules) | set(new)) if rules.get(k) != new.get(k)}
        row = {"file": rec["stem"], "rules_type": reading.doc_type, "type_with_model": label, "type_source": src,
               "model_type": pred.doc_type, "model_conf": pred.doc_scores.get(pred.doc_type), "changed": changed,
               # every served value, so that two code states compare whole answers: a layout or rules
               # change moves fields the model leaves alone (session 31)
               "served": new}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    if a.out:
        a.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
