"""Side by side: per-field strict F1 of two bench reports (``sohoa bench ... --out``), and the
documents whose fields changed between them.

    python -m sohoa.training.bench_diff runs/bench/before runs/bench/after [--docs]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _load(path: str) -> dict:
    p = Path(path)
    return json.loads((p / "report.json" if p.is_dir() else p).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    show_docs = "--docs" in argv
    a, b = (_load(x) for x in argv if x != "--docs")
    fa, fb = a["fields"]["strict"]["per_field"], b["fields"]["strict"]["per_field"]
    print(f"{'field':20} {'before':>7} {'after':>7}")
    for k in sorted(set(fa) | set(fb)):
        x, y = fa.get(k, {}).get("f1", 0.0), fb.get(k, {}).get("f1", 0.0)
        print(f"{k:20} {x:7.3f} {y:7.3f}{'  *' if abs(x - y) > 1e-9 else ''}")
    for kind in ("strict", "soft"):
        print(f"{'all ' + kind:20} {a['fields'][kind]['micro']['f1']:7.3f} {b['fields'][kind]['micro']['f1']:7.3f}")
    print(f"{'doc type':20} {a['doc_type']['accuracy']:7.3f} {b['doc_type']['accuracy']:7.3f}")
    if show_docs:
        before = {d["file"]: d for d in a["docs"]}
        for d in b["docs"]:
            o = before.get(d["file"])
            if not o or "pred_fields" not in d:
                continue
            for k in sorted(set(o.get("pred_fields", {})) | set(d["pred_fields"])):
                if o["pred_fields"].get(k) != d["pred_fields"].get(k):
                    ok = "ok" if k in d.get("fields_strict_ok", []) else "--"
                    print(f"  {ok} {d['file']} {k}: {o['pred_fields'].get(k)!r} -> {d['pred_fields'].get(k)!r}")


if __name__ == "__main__":
    main()
