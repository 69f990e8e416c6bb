"""One generated document on disk: the scan (PNG, JPEG, multi-page TIFF or PDF) and its
``<stem>.gt.json`` (format: data/README.md), plus one image per page under ``pages/`` for
multi-page documents (the dataset's page rows read those)."""
from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

from .compose import Composer, template_by_id, template_pool
from .degrade import degrade_page, map_labels, sample_profile

GT_VERSION = 1
ANNEX_TYPES = ("decision", "license", "official_letter", "other")


def pick_template(seed: int, index: int, extra: bool = False, train_only: bool = False,
                  fresh: bool | str | None = None) -> str:
    """Document types are balanced; templates are uniform within a type. ``extra``: draw from the
    training-only templates of ``templates_extra.yaml`` instead; ``train_only``: only those of
    the train split (not the calibration ones); ``fresh``: from the evaluation-only templates of
    that split (``templates_<fresh>.yaml``; True: ``fresh``)."""
    rng = random.Random(f"pick:{seed}:{index}")
    pool = template_pool(extra, fresh)
    if train_only:
        from sohoa.data.dataset import every_template_split

        split = every_template_split()
        pool = [t for t in pool if split[t["id"]] == "train"]
    by_type: dict[str, list[str]] = {}
    for t in pool:
        by_type.setdefault(t["doc_type"], []).append(t["id"])
    doc_type = rng.choice(sorted(by_type))
    return rng.choice(by_type[doc_type])


def doc_seed(seed: int, index: int) -> int:
    return int(hashlib.sha1(f"doc:{seed}:{index}".encode()).hexdigest()[:12], 16)


def render_document(template_id: str, dseed: int, doc_id: str, tpl: dict | None = None):
    rng = random.Random(f"{template_id}:{dseed}")
    tpl = tpl or template_by_id(template_id)
    comp = Composer(rng, tpl, doc_id)
    doc = comp.compose()
    if tpl["doc_type"] in ANNEX_TYPES and not tpl.get("bare") and rng.random() < 0.1 and len(doc.pages) == 1:
        comp.el_table({"kind": rng.choice(["stats", "people"]), "new_page": 1.0})
    return doc


def generate_one(out_dir: str | Path, seed: int, index: int, template_id: str | None = None,
                 remix: bool = False, extra: bool = False, fresh: bool | str | None = None) -> dict:
    """Render, degrade and write document ``index``; returns its summary for the dataset.
    ``remix``: a remixed training-split template (``remix.py``; training data only).
    ``extra``: a training-only template of ``templates_extra.yaml`` (remixed too with ``remix``).
    ``fresh``: an evaluation-only template of that split (True: ``fresh``; never remixed)."""
    if fresh and remix:
        raise ValueError("fresh templates are evaluation only: they are never remixed")
    out = Path(out_dir)
    dseed = doc_seed(seed, index)
    tpl = None
    if remix:
        from .remix import pick_train_template, remix as remix_template

        pick = random.Random(f"remix-pick:{seed}:{index}")
        if template_id:
            base = template_by_id(template_id)
        elif extra:
            # remixes are training data: never of a calibration template
            base = template_by_id(pick_template(seed, index, extra=True, train_only=True))
        else:
            base = pick_train_template(pick)
        tpl = remix_template(base, random.Random(f"remix:{dseed}"))
        template_id = base["id"]
    template_id = template_id or pick_template(seed, index, extra, fresh=fresh)
    stem = f"{index:06d}-{template_id}" + ("-remix" if remix else "")
    doc_id = f"gen{seed}-{index:06d}"
    doc = render_document(template_id, dseed, doc_id, tpl)
    drng = random.Random(f"degrade:{dseed}")
    profile = sample_profile(drng)
    n_pages = len(doc.pages)
    if n_pages == 1:
        fmt = "jpg" if profile.jpeg_quality else "png"
    else:
        fmt = drng.choice(["tiff", "pdf"])

    pages_gt, images = [], []
    fields_gt: dict[str, dict] = {}
    for page in doc.pages:
        arr, M = degrade_page(np.asarray(page.img), profile, drng)
        h, w = arr.shape[:2]
        on_page = {k: f for k, f in doc.fields.items() if f["page"] == page.number}
        lines, blocks, fields = map_labels(page.lines, page.blocks, on_page, M, w, h)
        for k, f in fields.items():
            fields_gt[k] = {"value": f["value"], "text": f["text"], "page": page.number, "bbox": f["bbox"]}
        pages_gt.append({"number": page.number, "width": w, "height": h, "dpi": profile.dpi,
                         "lines": lines, "blocks": blocks})
        images.append(Image.fromarray(arr))

    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    path = docs / f"{stem}.{fmt}"
    dpi = (profile.dpi, profile.dpi)
    q = profile.jpeg_quality or 90
    if fmt == "png":
        images[0].save(path, dpi=dpi, compress_level=3)
    elif fmt == "jpg":
        images[0].save(path, quality=q, dpi=dpi)
    elif fmt == "tiff":
        compression = "jpeg" if profile.jpeg_quality else "tiff_adobe_deflate"
        kw = {"quality": q} if profile.jpeg_quality else {}
        images[0].save(path, save_all=True, append_images=images[1:], compression=compression, dpi=dpi, **kw)
    else:
        images[0].save(path, save_all=True, append_images=images[1:], resolution=float(profile.dpi), quality=q)
    page_files = [path.name] if n_pages == 1 else []
    if n_pages > 1:  # one image per page for the dataset rows
        pdir = out / "pages"
        pdir.mkdir(parents=True, exist_ok=True)
        for i, im in enumerate(images, 1):
            name = f"{stem}-p{i}.{'jpg' if profile.jpeg_quality else 'png'}"
            if profile.jpeg_quality:
                im.save(pdir / name, quality=q)
            else:
                im.save(pdir / name, compress_level=3)
            page_files.append(f"../pages/{name}")

    fields_gt = {k: fields_gt[k] for k in sorted(fields_gt)}
    gt = {
        "version": GT_VERSION,
        "doc_id": doc_id,
        "source": "generated",
        "file": path.name,
        "doc_type": doc.doc_type,
        "template": template_id,
        "fields": fields_gt,
        "pages": pages_gt,
        "text": "\n".join(ln["text"] for p in pages_gt for ln in p["lines"]),
        "generator": {"seed": seed, "index": index, "doc_seed": dseed, "font": doc.meta["family"],
                      "era": doc.meta["era"], "profile": profile.__dict__, **({"remix": True} if remix else {})},
    }
    (docs / f"{stem}.gt.json").write_text(json.dumps(gt, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"stem": stem, "doc_id": doc_id, "template": template_id, "doc_type": doc.doc_type,
            "file": path.name, "page_files": page_files, "pages": n_pages, "format": fmt,
            "profile": profile.name, "dpi": profile.dpi, "fields": sorted(fields_gt)}


def encode_page(img: Image.Image, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG" if fmt == "png" else "JPEG", quality=90)
    return buf.getvalue()
