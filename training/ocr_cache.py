"""OCR cache: run the real pipeline (preprocess → Tesseract → layout → rules) over labelled
documents once, and keep per document what the learned models read: the OCR words with boxes and
the pipeline's block roles, plus the rules' own answer (the baseline) and the ground truth.

One JSON file per document under ``OUT/<stem>.json``; documents already cached are skipped, so the
job is resumable and incremental (``--follow`` keeps polling a folder that is still being
generated). OCR is the bottleneck (~3-5 s per page per core): run it under ``nice``.

    nice -n 19 python -m sohoa.training.ocr_cache datasets/gen --out runs/ocr/gen --workers 2

A labelled folder is either a generator output (``DIR/docs/*.gt.json``) or the service's export
(same layout); ``*.gt.json`` directly under DIR is accepted too.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def docs_dir(root: Path) -> Path:
    return root / "docs" if (root / "docs").is_dir() else root


def list_gt(root: Path) -> list[Path]:
    return sorted(docs_dir(root).glob("*.gt.json"))


def doc_file(gt_path: Path, gt: dict) -> Path:
    return gt_path.parent / gt["file"]


def template_split_map() -> dict[str, str]:
    """Template id → split, the generator's own held-out-template assignment (the training-only
    templates included: train, or calibration)."""
    from sohoa.data.dataset import every_template_split

    return every_template_split()


def split_of(gt: dict, splits: dict[str, str] | None = None) -> str:
    if gt.get("split"):
        return gt["split"]
    if gt.get("source", "generated") != "generated":
        return "train"  # reviewed corrections are training data
    splits = splits if splits is not None else template_split_map()
    return splits.get(gt.get("template", ""), "train")


_PIPE = None


def _pipeline():
    global _PIPE
    if _PIPE is None:
        os.environ["SOHOA_LEARNED_MODELS"] = "0"  # OCR + layout + rules only: the baseline and the inputs
        os.environ["SOHOA_FIELD_CONFIDENCE"] = "0"  # the rules' own confidence: what field_confidence fits on
        from sohoa.models.pipeline import Pipeline
        _PIPE = Pipeline()
    return _PIPE


def ocr_one(gt_path: str, out_path: str) -> tuple[str, float, str | None]:
    start = time.time()
    gt_path_p = Path(gt_path)
    try:
        gt = json.loads(gt_path_p.read_text(encoding="utf-8"))
        path = doc_file(gt_path_p, gt)
        result = _pipeline().process_path(path)
        rec = {"stem": path.stem, "file": str(path), "gt": gt,
               "result": json.loads(result.model_dump_json())}
        tmp = Path(out_path + ".tmp")
        tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, out_path)
        return gt_path, time.time() - start, None
    except Exception as exc:  # noqa: BLE001 - keep the batch going, log the document
        return gt_path, time.time() - start, f"{type(exc).__name__}: {exc}"


def order(items: list[tuple[Path, dict]], splits: dict[str, str]) -> list[tuple[Path, dict]]:
    """Interleave so that every prefix of the job holds all splits: a cache stopped early is
    still usable (test and validation pages first within each round)."""
    def key(item):
        p, gt = item
        h = int(hashlib.sha1(p.name.encode()).hexdigest()[:8], 16)
        s = split_of(gt, splits)
        weight = 1.0 if s == "train" else 0.45 if s == "test" else 0.6  # held-out pages a bit earlier
        return (h / 0xFFFFFFFF) * weight
    return sorted(items, key=key)


def run(src: Path, out: Path, workers: int = 1, limit: int | None = None, follow: bool = False,
        poll_s: float = 20.0, only_splits: set[str] | None = None) -> int:
    """``only_splits``: cache only the documents of these splits (an evaluation cache of the
    held-out templates costs a fraction of the whole folder's OCR)."""
    out.mkdir(parents=True, exist_ok=True)
    splits = template_split_map()
    done_total = 0
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            todo = []
            for p in list_gt(src):
                stem = p.name[: -len(".gt.json")]
                if (out / f"{stem}.json").exists() or (out / f"{stem}.err").exists():
                    continue
                try:
                    gt = json.loads(p.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError):
                    continue  # still being written
                if not doc_file(p, gt).exists():
                    continue
                if only_splits and split_of(gt, splits) not in only_splits:
                    continue
                todo.append((p, gt))
            todo = order(todo, splits)
            if limit is not None:
                todo = todo[: max(0, limit - done_total)]
            if todo:
                futs = [pool.submit(ocr_one, str(p), str(out / f"{p.name[:-len('.gt.json')]}.json")) for p, _ in todo]
                for f in futs:
                    gt_path, secs, err = f.result()
                    done_total += 1
                    name = Path(gt_path).name
                    if err:
                        (out / (name[: -len(".gt.json")] + ".err")).write_text(err, encoding="utf-8")
                    print(json.dumps({"doc": name, "s": round(secs, 1), "error": err, "n": done_total}), flush=True)
            finished = (not follow) or (src / "generation.json").exists() or \
                (limit is not None and done_total >= limit)
            if finished and not todo:
                break
            if not todo:
                time.sleep(poll_s)
    return done_total


def load_cache(path: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(path).glob("*.json"))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sohoa-ocr-cache", description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="labelled folder (generator output or review export)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="at most this many documents")
    ap.add_argument("--follow", action="store_true", help="poll a folder still being generated")
    ap.add_argument("--split", default=None,
                    help="only documents of these splits, comma-separated (e.g. test,validation)")
    a = ap.parse_args(argv)
    only = {s.strip() for s in a.split.split(",") if s.strip()} if a.split else None
    if only:
        from sohoa.data.dataset import SPLITS

        if unknown := only - set(SPLITS):
            ap.error(f"unknown split(s) {', '.join(sorted(unknown))}; known: {', '.join(SPLITS)}")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    n = run(a.src, a.out, a.workers, a.limit, a.follow, only_splits=only)
    print(f"cached {n} documents into {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
