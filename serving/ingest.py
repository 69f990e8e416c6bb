"""Documents in the store: created from uploads, filled with machine results, idempotent by sha256."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.serving.effective import effective_result, index_columns, review_confidence, search_key
from sohoa.serving.storage.tables import AuditEvent, Document

DONE = ("processed", "corrected", "approved")


def now() -> datetime:
    return datetime.now(timezone.utc)


def doc_id_for(sha256: str) -> str:
    """Stable id of a document: its content hash, shortened (96 bits)."""
    return sha256[:24]


def count_pages(data: bytes) -> int:
    """Pages of a scan, cheaply (no rendering); 1 when unsure: the pipeline has the last word."""
    try:
        if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
            import pypdfium2 as pdfium
            pdf = pdfium.PdfDocument(data)
            try:
                return len(pdf)
            finally:
                pdf.close()
        if data.startswith((b"II*\x00", b"MM\x00*")):
            from PIL import Image
            return getattr(Image.open(io.BytesIO(data)), "n_frames", 1)
    except Exception:
        return 1
    return 1


def get_or_create(session: Session, sha256: str, filename: str, size: int, pages: int,
                  status: str) -> tuple[Document, bool]:
    """The document of this content; (row, created). Safe against a concurrent insert."""
    doc = session.get(Document, doc_id_for(sha256))
    if doc is not None:
        return doc, False
    doc = Document(id=doc_id_for(sha256), sha256=sha256, filename=filename[:255], size=size,
                   pages=pages, status=status, created_at=now(), updated_at=now(),
                   search_key=search_key(filename[:255], None))
    try:
        with session.begin_nested():
            session.add(doc)
    except IntegrityError:
        doc = session.get(Document, doc_id_for(sha256))
        if doc is None:
            raise
        return doc, False
    return doc, True


def apply_outcome(session: Session, doc: Document, outcome: dict[str, Any], actor: str | None = None
                  ) -> None:
    """Store a pipeline outcome on the document. A reprocess keeps the reviewer's corrections
    (they still apply on top) and records the replaced machine result in the audit trail."""
    if not outcome.get("ok"):
        if doc.result is None:  # a failed reprocess keeps the previous result
            doc.status = "failed"
        doc.error = outcome.get("reason", "processing failed")[:1000]
        doc.updated_at = now()
        return
    result = outcome["result"]
    result["id"] = doc.id
    if doc.result is not None and actor is not None:
        session.add(AuditEvent(document_id=doc.id, actor=actor, action="reprocess", at=now(),
                               before={"models": doc.result.get("models"),
                                       "doc_type": doc.result.get("doc_type"),
                                       "fields": doc.result.get("fields")},
                               after={"models": result.get("models"), "doc_type": result.get("doc_type"),
                                      "fields": result.get("fields")}))
    doc.result = result
    doc.error = None
    doc.pages = len(result.get("pages") or []) or doc.pages
    doc.confidence = review_confidence(result)
    if doc.status not in ("corrected", "approved") or not doc.corrections:
        doc.status = "processed"
    for key, value in index_columns(effective_result(result, doc.corrections)).items():
        setattr(doc, key, value)
    doc.search_key = search_key(doc.filename, doc.text)
    doc.processed_at = doc.updated_at = now()


def summary(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "filename": doc.filename, "status": doc.status, "doc_type": doc.doc_type,
            "confidence": doc.confidence, "pages": doc.pages, "sha256": doc.sha256,
            "created_at": iso(doc.created_at), "updated_at": iso(doc.updated_at),
            "approved_at": iso(doc.approved_at), "error": doc.error}


def full(doc: Document) -> dict[str, Any]:
    """The API's document: the effective result (contract shape) plus the review state."""
    body = effective_result(doc.result, doc.corrections) or {
        "id": doc.id, "source": {"filename": doc.filename, "sha256": doc.sha256, "pages": doc.pages}}
    body["id"] = doc.id
    body["status"] = doc.status
    body["review"] = {
        "corrected_fields": sorted((doc.corrections or {}).get("fields", {}) or {}),
        "doc_type_corrected": bool((doc.corrections or {}).get("doc_type")),
        "machine_doc_type": ((doc.result or {}).get("doc_type") or {}).get("label"),
        "approved_by": doc.approved_by, "approved_at": iso(doc.approved_at),
        "confidence": doc.confidence,
    }
    if doc.error:
        body["error"] = doc.error
    return body


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat().replace("+00:00", "Z")


def find_by_sha(session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))
