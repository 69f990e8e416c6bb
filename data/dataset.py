"""Hugging Face ``datasets`` views of a generated (or exported) folder of labelled documents.

Page rows (one per page; the service's export writes the same schema, see data/README.md):
``id, doc_id, page, template, source, image, width, height, doc_type, lines, fields``.
Line rows (text-line crops for recognizer training):
``id, doc_id, page, line, template, doc_type, block, text, image``.
Splits are by template (held-out layouts in validation/test) unless asked otherwise; documents of
the training-only templates land in train, or in calibration for the one template per document
type held out there (see ``template_splits``).
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

# Evaluation-only template sets, one file each (templates_<split>.yaml), never trained on. Each
# set is written blind, after the one before it was read: fresh (session 19) has been read and
# may choose; fresh2 (session 20) judges the learned model's merge chosen on fresh (it has judged
# two rules changes too); fresh3 (session 20) judged the second try of the rules' field wording;
# fresh4 (session 21) judges session 21's changes to what the rules read (see training/README.md).
# fresh5 (session 21) judges the rules changes developed after fresh4 was read.
# fresh6 (session 21) judges session 22's change 4 of the rules.
# fresh7 (session 22) judges session 22's change 5 of the rules (no gain there, see training/README.md).
# fresh8 (session 22) judges session 23's many-templates layout model (v14k), beside fresh2.
# fresh9 (session 23) judges v14k with its merge chosen on fresh8 (session 23); a next change needs fresh10.
# fresh10 (session 23) judges session 24's third look at v14k (merge chosen on the read sets pooled).
# fresh11 (session 24) judges session 25's merge guards; a next change needs fresh12.
# fresh12 (session 25) judges session 26's v15k (its merge chosen on validation, fresh10 and fresh11).
# fresh13 (session 27) judges session 27's opening guard; a next change needs fresh14.
# fresh14 (session 27) judges session 27's second change (layoutlm/v6); a next change needs fresh15.
# fresh15 (session 28) judged session 28's two changes (A not kept, B kept); a next change needs fresh16.
# fresh16 (session 28) judged session 28's third change (A again, not kept); a next change needs fresh17.
# fresh17 (session 28) judged session 28's fourth change (C, kept); a next change needs fresh18.
# fresh18 to fresh22 (sessions 29-31) each judged one change (training/README.md).
# fresh23 and fresh24 (session 32) judged v19k, pooled (not shipped).
# fresh25 and fresh26 (session 33) judged v20k, pooled (not shipped); a next change needs fresh27.
# fresh27 and fresh28 (session 33, written at its end) judged v21k in session 34, pooled (not shipped).
# fresh29 and fresh30 (session 34) judged v22k in session 35, pooled (shipped as layoutlm/v7).
# fresh31 and fresh32 (session 35) judged v23k in session 36, pooled (not shipped).
# fresh33 and fresh34 (session 36) judged v24k in session 37, pooled (not shipped).
# fresh35 and fresh36 (session 37) judged v25k in session 38, pooled (not shipped).
# fresh37 and fresh38 (session 38): written for a later judgement, not drawn, no number read; seeds
# reserved 227 and 229.
FRESH_SPLITS = ("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10",
                "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "fresh19",
                "fresh20", "fresh21", "fresh22", "fresh23", "fresh24", "fresh25", "fresh26", "fresh27",
                "fresh28", "fresh29", "fresh30", "fresh31", "fresh32", "fresh33", "fresh34", "fresh35", "fresh36",
                "fresh37", "fresh38")
SPLITS = ("train", "validation", "test", "calibration") + FRESH_SPLITS


def page_features():
    from datasets import Features, Image, List, Value

    return Features({
        "id": Value("string"), "doc_id": Value("string"), "page": Value("int32"),
        "template": Value("string"), "source": Value("string"), "image": Image(),
        "width": Value("int32"), "height": Value("int32"), "doc_type": Value("string"),
        "lines": List({"text": Value("string"), "bbox": List(Value("int32"), length=4), "block": Value("string")}),
        "fields": List({"name": Value("string"), "value": Value("string"), "text": Value("string"),
                        "bbox": List(Value("int32"), length=4)}),
    })


def line_features():
    from datasets import Features, Image, Value

    return Features({
        "id": Value("string"), "doc_id": Value("string"), "page": Value("int32"), "line": Value("int32"),
        "template": Value("string"), "doc_type": Value("string"), "block": Value("string"),
        "text": Value("string"), "image": Image(),
    })


def _h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest()[:8], 16)


def template_splits(template_types: dict[str, str]) -> dict[str, str]:
    """Template id → split. Per document type: one template held out for test and one for
    validation when the type has at least three (two: one for test), chosen by a stable hash of
    the template id, so the assignment does not depend on the seed or on N.

    The training-only templates of ``templates_extra.yaml`` take no part in that draw: they are in
    train, except the one per document type marked ``split: calibration`` there. Calibration
    templates are layouts that neither the rules (written on the core templates) nor the model
    saw, so the merge thresholds chosen there say how far to trust the model on the next
    template; the core validation templates, on which the rules score 0.98, do not
    (``sohoa eval|export --thresholds-from calibration``). The templates of
    ``templates_<split>.yaml`` are all in that evaluation-only split (``FRESH_SPLITS``)."""
    from .generator.compose import extra_templates, fresh_templates

    # Marked in the file (not drawn here), so adding a template never moves another one.
    marked = {t["id"]: t.get("split", "train") for t in extra_templates()}
    for split in FRESH_SPLITS:
        marked.update({t["id"]: split for t in fresh_templates(split)})
    core_by_type: dict[str, list[str]] = defaultdict(list)
    out: dict[str, str] = {}
    for tid, dtype in template_types.items():
        if tid in marked:
            out[tid] = marked[tid]
        else:
            core_by_type[dtype].append(tid)
    for dtype, ids in core_by_type.items():
        ids = sorted(ids, key=lambda t: (_h("split:" + t), t))
        for i, tid in enumerate(ids):
            if len(ids) >= 3 and i == 0:
                out[tid] = "test"
            elif len(ids) >= 3 and i == 1:
                out[tid] = "validation"
            elif len(ids) == 2 and i == 0:
                out[tid] = "test"
            else:
                out[tid] = "train"
    return out


def every_template_split() -> dict[str, str]:
    """``template_splits`` of every template the generator knows: core, training- and evaluation-only."""
    from .generator.compose import extra_templates, fresh_templates, templates

    every = templates() + extra_templates() + fresh_templates()
    return template_splits({t["id"]: t["doc_type"] for t in every})


def random_split(doc_id: str) -> str:
    r = _h("doc:" + doc_id) % 10
    return "test" if r == 0 else "validation" if r == 1 else "train"


def load_gt(docs_dir: Path) -> list[tuple[Path, dict]]:
    out = []
    for p in sorted(docs_dir.glob("*.gt.json")):
        out.append((p, json.loads(p.read_text(encoding="utf-8"))))
    return out


def _page_image_bytes(docs_dir: Path, gt: dict, number: int) -> tuple[bytes, str]:
    """Bytes of the stored page: the file itself for one-page PNG/JPEG, else pages/<stem>-pN.*"""
    stem = gt["file"].rsplit(".", 1)[0]
    if len(gt["pages"]) == 1 and gt["file"].lower().endswith((".png", ".jpg", ".jpeg")):
        p = docs_dir / gt["file"]
        return p.read_bytes(), p.name
    for ext in ("png", "jpg"):
        p = docs_dir.parent / "pages" / f"{stem}-p{number}.{ext}"
        if p.exists():
            return p.read_bytes(), p.name
    raise FileNotFoundError(f"no page image for {gt['file']} page {number}")


def page_rows(docs_dir: Path, items: list[tuple[Path, dict]]):
    for _, gt in items:
        for pg in gt["pages"]:
            data, name = _page_image_bytes(docs_dir, gt, pg["number"])
            fields = [{"name": k, "value": f["value"], "text": f["text"], "bbox": list(f["bbox"])}
                      for k, f in gt["fields"].items() if f["page"] == pg["number"]]
            yield {
                "id": f"{gt['doc_id']}-p{pg['number']}", "doc_id": gt["doc_id"], "page": pg["number"],
                "template": gt["template"], "source": gt.get("source", "generated"),
                "image": {"bytes": data, "path": name}, "width": pg["width"], "height": pg["height"],
                "doc_type": gt["doc_type"],
                "lines": [{"text": ln["text"], "bbox": list(ln["bbox"]), "block": ln["block"]} for ln in pg["lines"]],
                "fields": fields,
            }


def line_rows(docs_dir: Path, items: list[tuple[Path, dict]], pad: int = 3, min_size: int = 4):
    from PIL import Image

    for _, gt in items:
        for pg in gt["pages"]:
            data, _ = _page_image_bytes(docs_dir, gt, pg["number"])
            img = Image.open(io.BytesIO(data)).convert("RGB")
            for i, ln in enumerate(pg["lines"]):
                x0, y0, x1, y1 = ln["bbox"]
                if x1 - x0 < min_size or y1 - y0 < min_size:
                    continue
                crop = img.crop((max(0, x0 - pad), max(0, y0 - pad), min(img.width, x1 + pad),
                                 min(img.height, y1 + pad)))
                buf = io.BytesIO()
                crop.save(buf, format="PNG", compress_level=3)
                yield {"id": f"{gt['doc_id']}-p{pg['number']}-l{i}", "doc_id": gt["doc_id"], "page": pg["number"],
                       "line": i, "template": gt["template"], "doc_type": gt["doc_type"], "block": ln["block"],
                       "text": ln["text"], "image": {"bytes": buf.getvalue(), "path": None}}


def assign_splits(items: list[tuple[Path, dict]], by_template: bool = True) -> dict[str, list]:
    if by_template:
        ttypes = {gt["template"]: gt["doc_type"] for _, gt in items}
        from .generator.compose import templates
        ttypes.update({t["id"]: t["doc_type"] for t in templates()})
        assignment = template_splits(ttypes)
    out: dict[str, list] = {s: [] for s in SPLITS}
    for p, gt in items:
        split = assignment.get(gt["template"], "train") if by_template else random_split(gt["doc_id"])
        out[split].append((p, gt))
    return out


def build_datasets(out_dir: Path, by_template: bool = True, lines: bool = True, num_proc: int | None = None) -> dict:
    """Write ``out_dir/dataset`` (pages) and ``out_dir/lines`` (line crops) as DatasetDicts."""
    from datasets import Dataset, DatasetDict, disable_progress_bars

    disable_progress_bars()
    docs_dir = out_dir / "docs"
    splits = assign_splits(load_gt(docs_dir), by_template)
    cache = out_dir / ".hf_cache"
    stats = {}

    def build(name: str, rows, features) -> dict[str, int]:
        """One DatasetDict (a split per template group) saved at ``out_dir/name``."""
        dd = DatasetDict({s: Dataset.from_generator(rows, features=features, cache_dir=str(cache),
                                                    gen_kwargs={"docs_dir": docs_dir, "items": items})
                          for s, items in splits.items() if items})
        if (out_dir / name).exists():
            shutil.rmtree(out_dir / name)
        dd.save_to_disk(str(out_dir / name))
        return {s: len(d) for s, d in dd.items()}

    try:
        stats["pages"] = build("dataset", page_rows, page_features())
        if lines:
            stats["lines"] = build("lines", line_rows, line_features())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    stats["split_of_template"] = {gt["template"]: s for s, items in splits.items() for _, gt in items}
    stats["docs"] = {s: len(items) for s, items in splits.items()}
    return stats


def dataset_card(out_dir: Path, stats: dict, seconds: float, n_pages: int, seed: int, by_template: bool) -> str:
    items = load_gt(out_dir / "docs")
    split_of = stats.get("split_of_template", {})
    per_type = Counter(gt["doc_type"] for _, gt in items)
    pages_type = Counter()
    per_template = Counter(gt["template"] for _, gt in items)
    pages_template = Counter()
    fields_by_type: dict[str, Counter] = defaultdict(Counter)
    profiles, formats, dpis, fonts, eras = Counter(), Counter(), Counter(), Counter(), Counter()
    n_lines = 0
    blocks = Counter()
    for _, gt in items:
        pages_type[gt["doc_type"]] += len(gt["pages"])
        pages_template[gt["template"]] += len(gt["pages"])
        for k in gt["fields"]:
            fields_by_type[gt["doc_type"]][k] += 1
        g = gt.get("generator", {})
        profiles[g.get("profile", {}).get("name", "?")] += 1
        formats[gt["file"].rsplit(".", 1)[-1]] += 1
        d = g.get("profile", {}).get("dpi", 0)
        dpis["70-99" if d < 100 else "100-149" if d < 150 else "150-199" if d < 200 else "200"] += 1
        fonts[g.get("font", "?")] += 1
        eras[g.get("era", "?")] += 1
        for pg in gt["pages"]:
            n_lines += len(pg["lines"])
            blocks.update(b["type"] for b in pg["blocks"])
    multi = sum(1 for _, gt in items if len(gt["pages"]) > 1)
    L = []
    L.append("# sohoa synthetic Vietnamese administrative documents\n")
    L.append("Generated by `sohoa data generate` (package `sohoa.data.generator`); format and schema: "
             "`data/README.md` in the sohoa repository. Every value is synthetic: names, numbers and "
             "addresses are drawn at random (administrative units are real).\n")
    L.append(f"- seed: {seed}; documents: {len(items)}; pages: {n_pages}; multi-page documents: {multi}; "
             f"text lines: {n_lines}")
    L.append(f"- generation time: {seconds:.1f} s, {n_pages / max(seconds, 1e-9):.2f} pages/s "
             "(rendering, degradation and files; dataset building not included)")
    L.append(f"- splits: {'by template (held-out layouts in validation and test)' if by_template else 'random by document'}")
    L.append(f"- `dataset/` page rows per split: {stats.get('pages', {})}")
    L.append(f"- `lines/` line crops per split: {stats.get('lines', {})}\n")
    L.append("## Documents and pages per type\n")
    L.append("| doc_type | documents | pages |\n| --- | ---: | ---: |")
    for t in sorted(per_type):
        L.append(f"| {t} | {per_type[t]} | {pages_type[t]} |")
    L.append("\n## Templates\n")
    L.append("| template | split | documents | pages |\n| --- | --- | ---: | ---: |")
    for t in sorted(per_template):
        L.append(f"| {t} | {split_of.get(t, '?')} | {per_template[t]} | {pages_template[t]} |")
    L.append("\n## Field coverage (share of documents of the type that carry the field)\n")
    from sohoa.models.config import get_vocabulary

    names = get_vocabulary().field_names
    types = sorted(per_type)
    L.append("| field | " + " | ".join(types) + " |\n| --- |" + " ---: |" * len(types))
    for f in names:
        L.append(f"| {f} | " + " | ".join(f"{fields_by_type[t][f] / per_type[t]:.0%}" for t in types) + " |")
    L.append("\n## Scan profiles, formats, resolutions, fonts, administrative era\n")
    for title, c in (("profile", profiles), ("file format", formats), ("dpi", dpis), ("font family", fonts),
                     ("units (legacy = before 2025-07-01)", eras), ("layout blocks", blocks)):
        L.append(f"- {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    return "\n".join(L) + "\n"
