"""``sohoa bench``: run the pipeline (and a peer engine, Tesseract alone) on a labelled folder
and report document-type accuracy, field P/R/F1 (strict and soft), CER/WER and speed.

Ground truth, per document file ``<stem>.<png|jpg|jpeg|tif|tiff|pdf>``:

- ``<stem>.gt.json`` (data/README.md): doc type, fields, lines, full text. Written by the generator
  and by the service's export.
- otherwise text only: ``<base>.gt.txt`` and/or ``<base>.gt-corrected.txt`` whose ``<base>`` is the
  longest prefix of the stem (``danang-sgddt-2020-p1-v2-blur.jpg`` → ``danang-sgddt-2020-p1``).
  Each file is a separate reference ("gt", "gt-corrected"); reported both over the files named
  exactly like their reference ("exact") and over all the files that match it ("all").
- otherwise nothing: only timings and the predicted type and fields are listed.

Metric definitions: ``sohoa.training.metrics``.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.training import metrics as M

DOC_EXTS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf")
STAGES = ("load", "preprocess", "ocr", "layout", "classify", "extract", "total")
_TXT_GT = re.compile(r"^(?P<base>.+)\.(?P<kind>gt|gt-corrected)\.txt$")


@dataclass
class Item:
    path: Path
    gt: dict | None = None                 # parsed gt.json
    texts: dict[str, str] = field(default_factory=dict)   # reference name → text
    exact: dict[str, bool] = field(default_factory=dict)  # reference name → file named like it


def discover(folder: Path, split: str | None = None) -> list[Item]:
    """Document files of ``folder`` (or ``folder/docs`` for a generated set) with their GT."""
    if (folder / "docs").is_dir() and not any(p.suffix.lower() in DOC_EXTS for p in folder.iterdir()):
        folder = folder / "docs"
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOC_EXTS)
    txt_refs: dict[str, dict[str, str]] = {}
    for p in folder.iterdir():
        if m := _TXT_GT.match(p.name):
            txt_refs.setdefault(m["base"], {})[m["kind"]] = p.read_text(encoding="utf-8")
    allowed = None
    if split:
        from sohoa.data.dataset import every_template_split

        allowed = {t for t, s in every_template_split().items() if s == split}
    items = []
    for f in files:
        item = Item(f)
        gt_path = f.with_name(f.stem + ".gt.json")
        if gt_path.exists():
            item.gt = json.loads(gt_path.read_text(encoding="utf-8"))
            item.texts["gt"] = item.gt.get("text", "")
        else:
            bases = [b for b in txt_refs if f.stem == b or f.stem.startswith(b + "-")]
            if bases:
                base = max(bases, key=len)
                for kind, text in txt_refs[base].items():
                    item.texts[kind] = text
                    item.exact[kind] = f.stem == base
        if allowed is not None and (not item.gt or item.gt.get("template") not in allowed):
            continue
        items.append(item)
    return items


def _peer_run(path: Path, peer: str, settings) -> tuple[str, float, int]:
    from sohoa.models.loading import load_path

    t0 = time.perf_counter()
    pages = load_path(path, settings.limits, settings.pdf_dpi)
    if peer == "tesseract":
        from sohoa.models.ocr.tesseract import tesseract_plain_text

        texts = [tesseract_plain_text(p.image, lang=settings.tesseract_lang, threads=settings.tesseract_threads)
                 for p in pages]
    else:
        raise ValueError(f"unknown peer engine {peer!r}")
    return "\n".join(texts), (time.perf_counter() - t0) * 1000, len(pages)


def run_bench(folder: str | Path, engine: str | None = None, peer: str = "tesseract", limit: int | None = None,
              split: str | None = None, progress: bool = True) -> dict:
    from tqdm import tqdm

    from sohoa.models.config import get_settings, get_vocabulary
    from sohoa.models.loading import InputError
    from sohoa.models.pipeline import Pipeline

    folder = Path(folder)
    settings = get_settings()
    if engine:
        settings = settings.model_copy(update={"ocr_engine": engine})
    pipeline = Pipeline(settings=settings)
    items = discover(folder, split)
    if limit:
        items = items[:limit]
    labels = get_vocabulary().labels
    field_names = get_vocabulary().field_names

    docs = []
    type_pairs: list[tuple[str, str]] = []
    fscores = M.FieldScores()
    ranked: list[tuple[float, bool]] = []  # (confidence, correct) of every predicted field
    text_scores: dict[tuple[str, str, str], list[M.TextScore]] = {}  # (system, ref, subset) → scores
    by_type_text: dict[tuple[str, str], list[M.TextScore]] = {}
    stage_ms = {s: 0.0 for s in STAGES}
    pages_total = 0
    peer_ms_total, peer_pages = 0.0, 0
    errors = []
    bar = tqdm(items, desc="bench", unit="doc", disable=not progress)
    for item in bar:
        bar.set_postfix_str(item.path.name[:30])
        rec: dict = {"file": item.path.name, "references": sorted(item.texts)}
        try:
            result = pipeline.process_path(item.path)
        except InputError as exc:
            errors.append({"file": item.path.name, "reason": exc.reason})
            rec["error"] = exc.reason
            docs.append(rec)
            continue
        n_pages = result.source.pages
        pages_total += n_pages
        for s in STAGES:
            stage_ms[s] += float(result.timings_ms.get(s, 0.0))
        pred_fields = {k: f.value for k, f in result.fields.items()}
        rec.update({"pages": n_pages, "pred_type": result.doc_type.label,
                    "pred_confidence": round(result.doc_type.confidence, 3),
                    "pred_fields": pred_fields, "ms": result.timings_ms})
        if item.gt:
            gt_type = item.gt["doc_type"]
            type_pairs.append((gt_type, result.doc_type.label))
            gt_fields = {k: f["value"] for k, f in item.gt.get("fields", {}).items()}
            fscores.add(pred_fields, gt_fields, names=[n for n in field_names if n in pred_fields or n in gt_fields])
            ranked += [(f.confidence, k in gt_fields and M.values_match(f.value, gt_fields[k]))
                       for k, f in result.fields.items()]
            rec.update({"gt_type": gt_type, "template": item.gt.get("template"),
                        "fields_strict_ok": sorted(k for k in gt_fields if k in pred_fields
                                                   and M.values_match(pred_fields[k], gt_fields[k])),
                        "fields_missed": sorted(k for k in gt_fields if k not in pred_fields),
                        "fields_wrong": {k: [pred_fields[k], gt_fields[k]] for k in gt_fields if k in pred_fields
                                         and not M.values_match(pred_fields[k], gt_fields[k])}})
        systems = {"pipeline": result.text}
        if peer != "none":
            try:
                ptext, pms, pp = _peer_run(item.path, peer, settings)
                peer_ms_total += pms
                peer_pages += pp
                systems[peer] = ptext
                rec["peer_ms"] = round(pms, 1)
            except Exception as exc:  # the peer failing is reported, not fatal
                rec["peer_error"] = str(exc)
        rec["text"] = {}
        for ref, gt_text in item.texts.items():
            for system, text in systems.items():
                sc = M.text_score(text, gt_text)
                rec["text"][f"{system}/{ref}"] = {"cer": round(sc.cer, 4), "wer": round(sc.wer, 4)}
                text_scores.setdefault((system, ref, "all"), []).append(sc)
                if item.exact.get(ref):
                    text_scores.setdefault((system, ref, "exact"), []).append(sc)
                if item.gt:
                    by_type_text.setdefault((system, item.gt["doc_type"]), []).append(sc)
        docs.append(rec)

    n_docs_ok = sum(1 for d in docs if "error" not in d)
    pipe_s = stage_ms["total"] / 1000
    speed = {
        "documents": n_docs_ok, "pages": pages_total,
        "pipeline_seconds": round(pipe_s, 2),
        "pipeline_pages_per_s": pages_total / pipe_s if pipe_s else None,
        "ms_per_page": {s: stage_ms[s] / pages_total for s in STAGES} if pages_total else {},
    }
    if peer != "none" and peer_pages:
        speed.update({"peer": peer, "peer_pages": peer_pages, "peer_seconds": round(peer_ms_total / 1000, 2),
                      "peer_pages_per_s": peer_pages / (peer_ms_total / 1000),
                      "peer_ms_per_page": peer_ms_total / peer_pages})
        if pages_total and speed["pipeline_pages_per_s"]:
            # time per page, pipeline over peer (>1: the pipeline is slower)
            speed["time_ratio_pipeline_over_peer"] = (stage_ms["total"] / pages_total) / (peer_ms_total / peer_pages)
            # whole-page OCR alone (the pipeline's OCR stage: detection + recognition) over the peer
            speed["time_ratio_ocr_over_peer"] = (stage_ms["ocr"] / pages_total) / (peer_ms_total / peer_pages)
            speed["peer_threads"] = settings.tesseract_threads
    text = {f"{sys}/{ref}/{subset}": M.aggregate_text(sc) for (sys, ref, subset), sc in sorted(text_scores.items())}
    text_by_type = {f"{sys}/{t}": M.aggregate_text(sc) for (sys, t), sc in sorted(by_type_text.items())}
    report = {
        "folder": str(folder), "engine": settings.ocr_engine, "peer": peer, "split": split,
        "models": pipeline.model_versions,
        "documents": len(items), "errors": errors,
        "doc_type": M.confusion(type_pairs, labels) if type_pairs else None,
        "fields": fscores.report() if type_pairs else None,
        # a reviewer sorting fields by confidence: how many of the wrong ones come first
        "field_confidence": M.lowest_share(ranked) if ranked else None,
        "soft_threshold": M.SOFT_THRESHOLD,
        "text": text, "text_by_type": text_by_type,
        "speed": speed,
        "docs": docs,
    }
    return report


def _f(x, nd=3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def render_markdown(r: dict) -> str:
    L = [f"# sohoa bench: `{r['folder']}`\n"]
    L.append(f"Engine `{r['engine']}`, peer `{r['peer']}`, models {r['models']}; {r['documents']} documents"
             + (f", split `{r['split']}`" if r.get("split") else "") + f"; errors: {len(r['errors'])}.\n")
    sp = r["speed"]
    L.append("## Speed\n")
    L.append(f"- pipeline: {sp['pages']} pages in {sp['pipeline_seconds']} s = **{_f(sp['pipeline_pages_per_s'], 3)} "
             f"pages/s**")
    if sp.get("ms_per_page"):
        L.append("- pipeline ms per page by stage: " + ", ".join(f"{k} {v:.0f}" for k, v in sp["ms_per_page"].items()))
    if sp.get("peer_pages"):
        L.append(f"- peer `{sp['peer']}` alone: {sp['peer_pages']} pages in {sp['peer_seconds']} s = "
                 f"**{_f(sp['peer_pages_per_s'], 3)} pages/s** ({sp['peer_ms_per_page']:.0f} ms/page, file loading included)")
    if sp.get("time_ratio_pipeline_over_peer"):
        L.append(f"- time per page, pipeline / peer: **{sp['time_ratio_pipeline_over_peer']:.2f}×**")
    if sp.get("time_ratio_ocr_over_peer"):
        L.append(f"- time per page, OCR stage / peer: **{sp['time_ratio_ocr_over_peer']:.2f}×** (peer with "
                 f"OMP_THREAD_LIMIT={sp.get('peer_threads')}; <1: ours is faster)")
    if r.get("doc_type"):
        dt = r["doc_type"]
        L.append("\n## Document type\n")
        L.append(f"Accuracy **{_f(dt['accuracy'])}** on {dt['n']} documents. Confusion (rows: reference, "
                 "columns: predicted):\n")
        labels = [lb for lb in dt["labels"] if any(dt["matrix"][lb].values()) or
                  any(dt["matrix"][g][lb] for g in dt["labels"])]
        L.append("| reference \\ predicted | " + " | ".join(labels) + " |")
        L.append("| --- |" + " ---: |" * len(labels))
        for g in labels:
            L.append(f"| {g} | " + " | ".join(str(dt["matrix"][g][p]) for p in labels) + " |")
    if r.get("fields"):
        L.append(f"\n## Fields\n\nstrict: normalized value equal (case-folded); soft: normalized Levenshtein "
                 f"similarity ≥ {r['soft_threshold']}.\n")
        L.append("| field | ref | pred | P strict | R strict | F1 strict | F1 soft |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        st, so = r["fields"]["strict"], r["fields"]["soft"]
        for name, c in st["per_field"].items():
            ref = c["tp"] + c["fn"]
            pred = c["tp"] + c["fp"]
            L.append(f"| {name} | {ref} | {pred} | {_f(c['precision'])} | {_f(c['recall'])} | {_f(c['f1'])} | "
                     f"{_f(so['per_field'][name]['f1'])} |")
        m, ms = st["micro"], so["micro"]
        L.append(f"| **all (micro)** | {m['tp'] + m['fn']} | {m['tp'] + m['fp']} | {_f(m['precision'])} | "
                 f"{_f(m['recall'])} | **{_f(m['f1'])}** | **{_f(ms['f1'])}** |")
    fc = r.get("field_confidence")
    if fc and fc.get("errors"):
        L.append(f"\nSorted by confidence, the lowest 10 % of predicted fields ({fc['lowest_10pct']} of {fc['fields']}) "
                 f"hold **{fc['errors_in_lowest_10pct']} of the {fc['errors']} wrong ones** "
                 f"(error rate {_f(fc['error_rate_lowest_10pct'])} there, {_f(fc['error_rate_rest'])} in the rest).")
    if r.get("text"):
        L.append("\n## Text (white space folded; CER in characters, WER in words)\n")
        L.append("Order-free word recall/precision (bag of words) separate recognition from reading order.\n")
        L.append("| system / reference / subset | docs | CER mean | CER micro | WER mean | WER micro | BoW recall | "
                 "BoW precision |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for k, a in r["text"].items():
            L.append(f"| {k} | {a['n']} | {_f(a['cer_mean'])} | {_f(a['cer_micro'])} | {_f(a['wer_mean'])} | "
                     f"{_f(a['wer_micro'])} | {_f(a.get('bow_recall'))} | {_f(a.get('bow_precision'))} |")
    if r.get("text_by_type"):
        L.append("\n### CER by document type\n")
        L.append("| system / type | docs | CER micro | WER micro |\n| --- | ---: | ---: | ---: |")
        for k, a in r["text_by_type"].items():
            L.append(f"| {k} | {a['n']} | {_f(a['cer_micro'])} | {_f(a['wer_micro'])} |")
    L.append("\n## Documents\n")
    L.append("| file | pages | type (ref → pred) | fields predicted | text scores | ms |")
    L.append("| --- | ---: | --- | --- | --- | ---: |")
    for d in r["docs"]:
        if "error" in d:
            L.append(f"| {d['file']} | – | error: {d['error']} | | | |")
            continue
        ty = f"{d.get('gt_type', '?')} → {d['pred_type']} ({d['pred_confidence']})"
        flds = "; ".join(f"{k}={v}" for k, v in d["pred_fields"].items()).replace("|", "\\|")
        if len(flds) > 300:
            flds = flds[:300] + "…"
        ts = ", ".join(f"{k} CER {v['cer']}" for k, v in d.get("text", {}).items())
        L.append(f"| {d['file']} | {d['pages']} | {ty} | {flds} | {ts} | {d['ms'].get('total', 0):.0f} |")
    return "\n".join(L) + "\n"


def write_report(report: dict, out_dir: str | Path) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    j, m = out / "report.json", out / "report.md"
    j.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    m.write_text(render_markdown(report), encoding="utf-8")
    return j, m
