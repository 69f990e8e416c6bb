"""Labelled folders → the layout model's training examples (JSON lines) and tokenizer.

``--data`` accepts, mixed freely:

- an OCR cache (``python -m sohoa.training.ocr_cache``): pipeline words + rules baseline;
- a generator output (``docs/*.gt.json``) or any folder of ``*.gt.json``: line pages;
- a ``datasets`` folder (``save_to_disk``: the generator's ``dataset/`` or the service's
  ``GET /v1/export`` zip, unzipped or not): page rows → line pages. Reviewed rows (``source:
  review``) always go to ``train``.

Splits: generated documents follow the generator's held-out-template assignment (validation and
test templates are never trained on); anything else is training data. ``train_splits`` turns
evaluation-only splits into training data (a blind set that has judged, e.g. ``fresh3``), so the
model learns the layouts the rules were developed on while the unread ones stay held out.
"""
from __future__ import annotations

import hashlib
import json
import random
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from sohoa.data.dataset import SPLITS
from sohoa.training.align import gt_page_rows, line_examples, ocr_examples
from sohoa.training.ocr_cache import split_of, template_split_map


def labels() -> dict:
    from sohoa.models.config import get_vocabulary
    from sohoa.models.document import BLOCK_TYPES
    from sohoa.models.learned.features import bio_labels

    v = get_vocabulary()
    return {"doc_types": v.labels, "fields": v.field_names, "fields_bio": bio_labels(v.field_names),
            "roles": list(BLOCK_TYPES), "input_roles": list(BLOCK_TYPES)}


def _is_ocr_cache(d: Path) -> bool:
    for p in d.glob("*.json"):
        try:
            head = p.read_text(encoding="utf-8")[:4000]
        except OSError:
            continue
        return '"result"' in head and '"gt"' in head or '"stem"' in head
    return False


def _hf_folder(d: Path) -> Path | None:
    for cand in (d, d / "dataset"):
        if (cand / "dataset_dict.json").exists() or (cand / "state.json").exists():
            return cand
    return None


def _rows_from_hf(folder: Path, splits_map: dict) -> list[tuple[str, dict]]:
    from datasets import DatasetDict, load_from_disk

    ds = load_from_disk(str(folder))
    parts = ds.items() if isinstance(ds, DatasetDict) else [(None, ds)]
    out = []
    for split, d in parts:
        if "image" in d.column_names:
            d = d.remove_columns(["image"])
        for row in d:
            row = dict(row)
            truth = {f["name"]: f["value"] for f in row.get("fields") or [] if f.get("value")}
            row["truth"] = truth
            if row.get("source") == "review":
                s = "train"
            else:
                s = split or split_of({"template": row.get("template", ""), "source": row.get("source")}, splits_map)
            out.append((s, row))
    # Document-level truth: fields of every page of the document.
    by_doc: dict[str, dict] = {}
    for _, row in out:
        by_doc.setdefault(row["doc_id"], {}).update(row["truth"])
    for _, row in out:
        row["truth"] = by_doc[row["doc_id"]]
    return out


def collect(data_dirs: list[Path], seed: int = 0, line_variants: int = 1, log=print,
            train_splits: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    unknown = set(train_splits) - set(SPLITS)
    if unknown:
        raise SystemExit(f"train_splits: unknown split(s) {sorted(unknown)}; known: {', '.join(SPLITS)}")
    splits_map = template_split_map()
    rng = random.Random(seed)

    def as_train(s: str) -> str:
        return "train" if s in train_splits else s

    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for d in data_dirs:
        d = Path(d)
        tmp = None
        if d.suffix == ".zip":
            tmp = tempfile.TemporaryDirectory(prefix="sohoa-data-")
            with zipfile.ZipFile(d) as zf:
                zf.extractall(tmp.name)
            d = Path(tmp.name)
        n0 = sum(len(v) for v in out.values())
        if _is_ocr_cache(d):
            for p in sorted(d.glob("*.json")):
                rec = json.loads(p.read_text(encoding="utf-8"))
                s = as_train(split_of(rec["gt"], splits_map))
                out[s] += ocr_examples(rec, s)
            kind = "ocr-cache"
        elif list((d / "docs").glob("*.gt.json")) or list(d.glob("*.gt.json")):
            gts = sorted((d / "docs").glob("*.gt.json")) or sorted(d.glob("*.gt.json"))
            for p in gts:
                gt = json.loads(p.read_text(encoding="utf-8"))
                s = as_train(split_of(gt, splits_map))
                for row in gt_page_rows(gt):
                    for v in range(line_variants if s == "train" else 1):
                        ex = line_examples(row, s, rng, noise=True)
                        ex["id"] += f"-v{v}" if v else ""
                        out[s].append(ex)
            kind = "ground-truth lines"
        elif (hf := _hf_folder(d)) is not None:
            for s, row in _rows_from_hf(hf, splits_map):
                s = as_train(s)
                for v in range(line_variants if s == "train" else 1):
                    ex = line_examples(row, s, rng, noise=True)
                    ex["id"] += f"-v{v}" if v else ""
                    out[s].append(ex)
            kind = "datasets page rows"
        else:
            raise SystemExit(f"{d}: not an OCR cache, a folder of *.gt.json or a datasets folder")
        log(f"{d}: {kind}, {sum(len(v) for v in out.values()) - n0} pages")
        if tmp is not None:
            tmp.cleanup()
    return out


def data_hash(examples: list[dict]) -> str:
    h = hashlib.sha256()
    for ex in sorted(examples, key=lambda e: e["id"]):
        h.update(json.dumps([ex["id"], ex["words"], ex["boxes"], ex["field_tags"], ex["doc_type"]],
                            ensure_ascii=False).encode())
    return h.hexdigest()


def prepare(data_dirs: list[Path], out: Path, seed: int = 0, line_variants: int = 1,
            vocab_size: int = 8000, log=print, train_splits: tuple[str, ...] = ()) -> dict:
    from sohoa.training.tokenizer import build as build_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    examples = collect(data_dirs, seed, line_variants, log, tuple(train_splits))
    for s in SPLITS:
        with (out / f"{s}.jsonl").open("w", encoding="utf-8") as fh:
            for ex in examples[s]:
                fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
    lab = labels()
    (out / "labels.json").write_text(json.dumps(lab, ensure_ascii=False, indent=1), encoding="utf-8")
    build_tokenizer((" ".join(ex["words"]) for ex in examples["train"]), out / "tokenizer.json", vocab_size)
    info = {"sources": [str(d) for d in data_dirs], "seed": seed, "line_variants": line_variants,
            "train_splits": list(train_splits),
            "pages": {s: len(examples[s]) for s in SPLITS},
            "by_source": {s: dict(Counter(ex["source"] for ex in examples[s])) for s in SPLITS},
            "documents": {s: len({ex["doc_id"] for ex in examples[s]}) for s in SPLITS},
            "train_sha256": data_hash(examples["train"]),
            "templates": {s: sorted({ex["template"] for ex in examples[s]}) for s in SPLITS}}
    (out / "data.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    log(json.dumps({k: info[k] for k in ("pages", "by_source", "train_sha256")}, ensure_ascii=False))
    return info


def type_fields(prepared: Path, min_share: float = 0.02) -> dict[str, list[str]] | None:
    """Document type → the fields that at least ``min_share`` of its training documents carry
    (read from ``train.jsonl``): the merge's guard lets the model give a field only on such a type
    (``models.learned.merge``). None when the prepared data is not at hand."""
    path = Path(prepared) / "train.jsonl"
    if not path.exists():
        return None
    carried: dict[str, set[str]] = {}  # doc_id → fields tagged on any of its pages
    doc_type: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            ex = json.loads(line)
            doc_type[ex["doc_id"]] = ex["doc_type"]
            carried.setdefault(ex["doc_id"], set()).update(t[2:] for t in ex["field_tags"] if t[:2] in ("B-", "I-"))
    docs_of = Counter(doc_type.values())
    counts = Counter((doc_type[d], f) for d, fields in carried.items() for f in fields)
    return {t: sorted(f for (tt, f), c in counts.items() if tt == t and c >= min_share * n)
            for t, n in sorted(docs_of.items())}
