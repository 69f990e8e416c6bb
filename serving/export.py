"""Reviewed documents as a Hugging Face ``datasets`` dataset, one row per page.

The page-row schema is the one the synthetic generator writes and ``sohoa train`` reads:
``id`` ("<doc_id>-p<n>"), ``doc_id``, ``page``, ``template`` ("review"), ``source`` ("review"),
``image``, ``width``, ``height``, ``doc_type``, ``lines`` [{text, bbox, block}],
``fields`` [{name, value, text, bbox}] (only the fields on that page).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sohoa.serving.effective import effective_result
from sohoa.serving.pages import page_png
from sohoa.serving.storage.blobs import BlobStore
from sohoa.serving.storage.tables import Document


def features():
    """The page-row features: exactly the generator's, so `sohoa train` reads both alike."""
    from sohoa.data.dataset import page_features

    return page_features()


def reviewed_documents(session: Session, since: datetime | None) -> list[Document]:
    stmt = select(Document).where(or_(Document.status == "approved", Document.status == "corrected"),
                                  Document.result.is_not(None))
    if since is not None:
        stmt = stmt.where(Document.updated_at >= since)
    return list(session.scalars(stmt.order_by(Document.updated_at, Document.id)))


def page_rows(store: BlobStore, docs: list[Document]) -> Iterator[dict]:
    for doc in docs:
        eff = effective_result(doc.result, doc.corrections)
        label = (eff.get("doc_type") or {}).get("label") or "other"
        for page in eff.get("pages") or []:
            n = int(page["number"])
            lines = [{"text": line["text"], "bbox": [int(v) for v in line["bbox"]], "block": block["type"]}
                     for block in page.get("blocks") or [] for line in block.get("lines") or []]
            fields = [{"name": name, "value": str(f.get("value", "")), "text": str(f.get("text", "")),
                       "bbox": [int(v) for v in f.get("bbox") or (0, 0, 0, 0)]}
                      for name, f in sorted((eff.get("fields") or {}).items()) if int(f.get("page", 1)) == n]
            yield {"id": f"{doc.id}-p{n}", "doc_id": doc.id, "page": n, "template": "review",
                   "source": "review", "image": {"bytes": page_png(store, doc, n), "path": None},
                   "width": int(page["width"]), "height": int(page["height"]), "doc_type": label,
                   "lines": lines, "fields": fields}


def build_dataset(store: BlobStore, docs: list[Document]):
    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()

    rows = list(page_rows(store, docs))
    feats = features()
    if not rows:
        return Dataset.from_dict({name: [] for name in feats}, features=feats)
    return Dataset.from_list(rows, features=feats)


def export_zip(store: BlobStore, docs: list[Document], workdir: Path | None = None) -> Path:
    """``save_to_disk`` into a temporary folder and zip it; returns the zip's path (caller deletes)."""
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-export-", dir=workdir))
    try:
        ds = build_dataset(store, docs)
        folder = tmp / "dataset"
        ds.save_to_disk(str(folder))
        fd, zip_path = tempfile.mkstemp(prefix="sohoa-export-", suffix=".zip", dir=workdir)
        os.close(fd)
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, arcname=str(Path("dataset") / path.relative_to(folder)))
        return Path(zip_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
