"""/v1/documents: upload (sync, idempotent), read, list, page images, corrections, approval."""
from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field as PydField, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.models.config import get_vocabulary
from sohoa.serving.api.deps import Caller, get_session, require
from sohoa.serving.api.errors import ERROR_RESPONSES, ApiError
from sohoa.serving.effective import effective_result, index_columns, search_key
from sohoa.serving.ingest import DONE, apply_outcome, count_pages, full, get_or_create, iso, now, summary
from sohoa.serving.jobs import create_job
from sohoa.serving.storage.blobs import TooLarge
from sohoa.serving.storage.tables import AuditEvent, Document

router = APIRouter(prefix="/v1", tags=["documents"])

RESULT_EXAMPLE = {
    "id": "3f1c2a9b8d7e6f5a4b3c2d1e", "status": "processed",
    "source": {"filename": "giay-phep.jpg", "sha256": "3f1c…", "pages": 1},
    "doc_type": {"label": "license", "confidence": 0.97, "scores": {"license": 0.97, "other": 0.03}},
    "fields": {"document_number": {"value": "123/GP-SYT", "text": "Số: 123/GP-SYT", "confidence": 0.93,
                                   "page": 1, "bbox": [120, 210, 480, 250], "source": "rules"}},
    "pages": [{"number": 1, "width": 1654, "height": 2339, "dpi": 200, "rotation": 0, "blocks": []}],
    "text": "SỞ Y TẾ\n…", "models": {"ocr": "tesseract-5"}, "timings_ms": {"total": 2400},
    "review": {"corrected_fields": [], "doc_type_corrected": False, "machine_doc_type": "license",
               "approved_by": None, "approved_at": None, "confidence": 0.93},
}


def _svc(request: Request):
    return request.app.state.services


# ---------------------------------------------------------------- upload

def _prepare(svc, sha: str, size: int, filename: str, reprocess: bool) -> tuple[str, dict | None, bool]:
    """Decide what an upload does: ("existing", body) | ("wait", None) | ("process", created)."""
    with svc.sessions() as session:
        doc, created = get_or_create(session, sha, filename, size, 0, "processing")
        if not created:
            if doc.status in DONE and not reprocess:
                return "existing", full(doc), False
            if doc.status in ("queued", "processing") and not reprocess:
                return "wait", None, False
            if doc.result is None:
                doc.status, doc.error = "processing", None
        session.commit()
        return "process", None, created


async def _wait_for(svc, doc_id: str, timeout_s: float = 300.0) -> dict | None:
    """Another request or a job is processing the same content: wait for its result."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        def look():
            with svc.sessions() as session:
                doc = session.get(Document, doc_id)
                return (doc.status, full(doc)) if doc else (None, None)
        status, body = await asyncio.to_thread(look)
        if status not in ("queued", "processing"):
            return body
        await asyncio.sleep(0.25)
    return None


def _store_outcome(svc, doc_id: str, outcome: dict, actor: str, created: bool) -> dict | None:
    with svc.sessions() as session:
        doc = session.get(Document, doc_id)
        if not outcome.get("ok") and doc.result is None and created:
            session.delete(doc)  # an unreadable upload leaves nothing behind
            session.commit()
            svc.store.original_path(doc.sha256).unlink(missing_ok=True)
            return None
        apply_outcome(session, doc, outcome, actor=None if created or doc.result is None else actor)
        session.commit()
        return full(doc)


@router.post("/documents", status_code=201, summary="Upload and process one scan",
             responses={200: {"description": "already in the store (same content); returned as is",
                              "content": {"application/json": {"example": RESULT_EXAMPLE}}},
                        201: {"description": "processed now",
                              "content": {"application/json": {"example": RESULT_EXAMPLE}}},
                        202: {"description": "longer than the synchronous page limit: queued as a job",
                              "content": {"application/json": {"example": {
                                  "id": "3f1c2a9b8d7e6f5a4b3c2d1e", "status": "queued",
                                  "job_id": "job_0a1b2c3d4e5f60718293"}}}},
                        **ERROR_RESPONSES})
async def upload_document(request: Request, file: UploadFile = File(..., description="PNG, JPEG, TIFF or PDF"),
                          reprocess: bool = Query(False, description="process again even if the same "
                                                  "content is already stored"),
                          caller: Caller = Depends(require("upload"))):
    svc = _svc(request)
    if not svc.runner.ready:
        raise ApiError(503, "the pipeline is still loading; retry shortly")
    limits = svc.settings.limits
    filename = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    try:
        sha, size = await asyncio.to_thread(svc.store.put_stream, file.file, limits.max_bytes)
    except TooLarge:
        raise ApiError(413, f"file too large: more than {limits.max_bytes} bytes") from None
    if size == 0:
        raise ApiError(422, "empty file (0 bytes)", "unreadable")
    doc_id = sha[:24]
    action, body, created = await asyncio.to_thread(_prepare, svc, sha, size, filename, reprocess)
    if action == "existing":
        return JSONResponse(body, status_code=200)
    if action == "wait":
        body = await _wait_for(svc, doc_id)
        if body is None:
            raise ApiError(503, "the same content is still being processed; retry later")
        return JSONResponse(body, status_code=200)
    pages = await asyncio.to_thread(lambda: count_pages(svc.store.read_original(sha)))
    if pages > svc.settings.sync_max_pages:
        def enqueue():
            with svc.sessions() as session:
                doc = session.get(Document, doc_id)
                doc.pages = pages
                if doc.result is None:
                    doc.status = "queued"
                job = create_job(session, caller.name, [{"filename": filename, "sha256": sha, "size": size,
                                                         "pages": pages}], reprocess=True)
                session.commit()
                return job.id
        job_id = await asyncio.to_thread(enqueue)
        svc.dispatcher.wake()
        return JSONResponse({"id": doc_id, "status": "queued", "job_id": job_id, "pages": pages},
                            status_code=202)
    outcome = await svc.runner.process(sha, filename)
    if outcome.get("ok"):
        svc.metrics.pages.inc(len(outcome["result"].get("pages") or []))
        svc.metrics.processing.observe(outcome.get("ms", 0) / 1000)
    svc.metrics.documents.labels("ok" if outcome.get("ok") else "failed").inc()
    body = await asyncio.to_thread(_store_outcome, svc, doc_id, outcome, caller.name, created)
    if not outcome.get("ok"):
        status = int(outcome.get("status") or 422)
        raise ApiError(status, outcome.get("reason") or "cannot process this file",
                       {413: "too_large", 415: "unsupported_media_type", 422: "unreadable"}.get(status))
    return JSONResponse(body, status_code=201 if created else 200)


# ---------------------------------------------------------------- read

def _get_doc(session: Session, doc_id: str) -> Document:
    doc = session.get(Document, doc_id) if len(doc_id) <= 40 else None
    if doc is None:
        raise ApiError(404, "no such document")
    return doc


@router.get("/documents/{doc_id}", summary="One document: the effective result (machine + corrections)",
            responses={200: {"content": {"application/json": {"example": RESULT_EXAMPLE}}}, **ERROR_RESPONSES})
def get_document(doc_id: str, session: Session = Depends(get_session),
                 _caller: Caller = Depends(require("read"))):
    return full(_get_doc(session, doc_id))


@router.get("/documents", summary="List documents, paged; the review queue sorts by lowest confidence")
def list_documents(doc_type: str | None = None,
                   status: str | None = Query(None, description="queued, processing, processed, failed, "
                                              "corrected, approved; comma-separated"),
                   q: str | None = Query(None, max_length=200, description="text or file name contains"),
                   sort: Literal["confidence", "-updated_at", "created_at"] = "confidence",
                   limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                   session: Session = Depends(get_session), _caller: Caller = Depends(require("read"))):
    stmt = select(Document)
    if doc_type:
        stmt = stmt.where(Document.doc_type == doc_type)
    if status:
        stmt = stmt.where(Document.status.in_([s.strip() for s in status.split(",") if s.strip()]))
    if q:
        folded = search_key(None, q).strip()
        like = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Document.search_key.like(like, escape="\\"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = {"confidence": (Document.confidence.is_(None), Document.confidence.asc(), Document.id),
             "-updated_at": (Document.updated_at.desc(), Document.id),
             "created_at": (Document.created_at.asc(), Document.id)}[sort]
    rows = session.scalars(stmt.order_by(*order).limit(limit).offset(offset)).all()
    return {"items": [summary(d) for d in rows], "total": total, "limit": limit, "offset": offset}


@router.get("/documents/{doc_id}/pages/{number}.png", summary="A page image in result coordinates",
            response_class=Response, responses={200: {"content": {"image/png": {}}}, **ERROR_RESPONSES})
def page_image(request: Request, doc_id: str, number: int, boxes: bool = False,
               _caller: Caller = Depends(require("read"))):
    from sohoa.serving.pages import draw_boxes, page_png

    svc = _svc(request)
    with svc.sessions() as session:  # let go of the database before rendering
        doc = _get_doc(session, doc_id)
        session.expunge(doc)
    if not doc.result:
        raise ApiError(409, "the document has not been processed yet", "not_processed")
    if not 1 <= number <= len(doc.result.get("pages") or []):
        raise ApiError(404, "no such page")
    png = page_png(svc.store, doc, number)
    if boxes:
        png = draw_boxes(png, effective_result(doc.result, doc.corrections), number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


# ---------------------------------------------------------------- review

class FieldCorrection(BaseModel):
    value: str = PydField(..., max_length=2000)
    bbox: list[int] | None = PydField(None, min_length=4, max_length=4)
    page: int | None = PydField(None, ge=1)
    text: str | None = PydField(None, max_length=2000)


class Correction(BaseModel):
    doc_type: str | None = PydField(None, description="a label of the contract's doc types")
    fields: dict[str, FieldCorrection | None] = PydField(
        default_factory=dict, description="new value (and optionally bbox, page) per field; null removes it")

    model_config = {"json_schema_extra": {"examples": [
        {"doc_type": "license", "fields": {"document_number": {"value": "123/GP-SYT"},
                                           "holder_name": {"value": "Nguyễn Văn A", "bbox": [100, 400, 600, 440]},
                                           "phone": None}}]}}

    @field_validator("doc_type")
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        if v is not None and v not in get_vocabulary().labels:
            raise ValueError(f"unknown doc type; one of {', '.join(get_vocabulary().labels)}")
        return v

    @field_validator("fields")
    @classmethod
    def _names(cls, v: dict) -> dict:
        unknown = sorted(set(v) - set(get_vocabulary().field_names))
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(unknown)}")
        return v


def _snapshot(effective: dict | None, names: list[str], with_type: bool) -> dict[str, Any]:
    effective = effective or {}
    snap: dict[str, Any] = {}
    if with_type:
        snap["doc_type"] = (effective.get("doc_type") or {}).get("label")
    if names:
        fields = effective.get("fields") or {}
        snap["fields"] = {n: fields.get(n) for n in names}
    return snap


def _reindex(doc: Document) -> None:
    for key, value in index_columns(effective_result(doc.result, doc.corrections)).items():
        setattr(doc, key, value)
    doc.search_key = search_key(doc.filename, doc.text)


@router.patch("/documents/{doc_id}", summary="Correct the doc type and fields (audited)",
              responses={200: {"content": {"application/json": {"example": RESULT_EXAMPLE}}}, **ERROR_RESPONSES})
def correct_document(doc_id: str, body: Correction, session: Session = Depends(get_session),
                     caller: Caller = Depends(require("review"))):
    doc = _get_doc(session, doc_id)
    if doc.result is None:
        raise ApiError(409, "the document has not been processed yet", "not_processed")
    names = sorted(body.fields)
    before_eff = effective_result(doc.result, doc.corrections)
    corrections = {"doc_type": (doc.corrections or {}).get("doc_type"),
                   "fields": dict((doc.corrections or {}).get("fields") or {})}
    if body.doc_type is not None:
        corrections["doc_type"] = body.doc_type
    for name, change in body.fields.items():
        corrections["fields"][name] = None if change is None else change.model_dump(exclude_none=True)
    doc.corrections = corrections
    after_eff = effective_result(doc.result, doc.corrections)
    session.add(AuditEvent(document_id=doc.id, actor=caller.name, action="correct", at=now(),
                           before=_snapshot(before_eff, names, body.doc_type is not None),
                           after=_snapshot(after_eff, names, body.doc_type is not None)))
    if doc.status == "approved":  # a change after approval needs a new approval
        doc.approved_at = doc.approved_by = None
    doc.status = "corrected"
    doc.updated_at = now()
    _reindex(doc)
    session.commit()  # before answering: the client must never see a change that was not stored
    return full(doc)


@router.post("/documents/{doc_id}/approve", summary="Approve the effective result (audited)",
             responses={200: {"content": {"application/json": {"example": RESULT_EXAMPLE}}}, **ERROR_RESPONSES})
def approve_document(doc_id: str, session: Session = Depends(get_session),
                     caller: Caller = Depends(require("review"))):
    doc = _get_doc(session, doc_id)
    if doc.result is None:
        raise ApiError(409, "the document has not been processed yet", "not_processed")
    before = {"status": doc.status}
    doc.status, doc.approved_by, doc.approved_at = "approved", caller.name, now()
    doc.updated_at = doc.approved_at
    session.add(AuditEvent(document_id=doc.id, actor=caller.name, action="approve", at=doc.approved_at,
                           before=before, after={"status": "approved"}))
    _reindex(doc)
    session.commit()
    return full(doc)


@router.get("/documents/{doc_id}/audit", summary="The audit trail of a document: who, when, before, after")
def audit_trail(doc_id: str, session: Session = Depends(get_session),
                _caller: Caller = Depends(require("read"))):
    _get_doc(session, doc_id)
    events = session.scalars(select(AuditEvent).where(AuditEvent.document_id == doc_id)
                             .order_by(AuditEvent.id)).all()
    return {"items": [{"id": e.id, "actor": e.actor, "action": e.action, "at": iso(e.at),
                       "before": e.before, "after": e.after} for e in events]}
