"""/v1/records: approved results, found by identifiers, with their validity today."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
import calendar

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.serving.api.deps import Caller, get_session, require
from sohoa.serving.api.errors import ERROR_RESPONSES, ApiError
from sohoa.serving.effective import effective_result, fold
from sohoa.serving.ingest import iso
from sohoa.serving.storage.tables import Document

router = APIRouter(prefix="/v1", tags=["records"])
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving


def today() -> date:
    return datetime.now(VIETNAM).date()


def last_day(value: str) -> date | None:
    """The last day a contract date covers: 2026 -> 2026-12-31, 2026-02 -> 2026-02-28."""
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31)
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return date(parts[0], parts[1], parts[2])
    except (ValueError, IndexError):
        return None


def validity(valid_until: str | None, on: date) -> bool | None:
    """True while valid, False once expired, None when the paper states no end date."""
    end = last_day(valid_until) if valid_until else None
    return None if end is None else on <= end


RECORD_EXAMPLE = {"items": [{
    "id": "3f1c2a9b8d7e6f5a4b3c2d1e", "doc_type": "license", "valid_until": "2029-03-12", "valid": True,
    "checked_on": "2026-11-22", "approved_at": "2026-11-20T08:00:00Z", "approved_by": "reviewer-1",
    "fields": {"document_number": "123/GP-SYT", "holder_name": "Phòng khám đa khoa An Bình"}}], "total": 1}


@router.get("/records", summary="Approved records by identifier, and whether each is valid today",
            responses={200: {"content": {"application/json": {"example": RECORD_EXAMPLE}}}, **ERROR_RESPONSES})
def find_records(personal_id: str | None = Query(None, max_length=20),
                 business_code: str | None = Query(None, max_length=40),
                 document_number: str | None = Query(None, max_length=100),
                 holder_name: str | None = Query(None, max_length=255),
                 limit: int = Query(50, ge=1, le=200),
                 session: Session = Depends(get_session), _caller: Caller = Depends(require("read"))):
    stmt = select(Document).where(Document.status == "approved")
    given = False
    if personal_id:
        stmt, given = stmt.where(Document.personal_id == "".join(c for c in personal_id if c.isdigit())), True
    if business_code:
        stmt, given = stmt.where(Document.business_code == business_code.strip()), True
    if document_number:
        stmt, given = stmt.where(Document.document_number == "".join(document_number.split())), True
    if holder_name:
        stmt, given = stmt.where(Document.holder_key == fold(holder_name)), True
    if not given:
        raise ApiError(422, "give at least one of personal_id, business_code, document_number, holder_name",
                       "invalid_request")
    on = today()
    rows = session.scalars(stmt.order_by(Document.approved_at.desc()).limit(limit)).all()
    items = []
    for doc in rows:
        eff = effective_result(doc.result, doc.corrections) or {}
        items.append({"id": doc.id, "doc_type": doc.doc_type, "valid_until": doc.valid_until,
                      "valid": validity(doc.valid_until, on), "checked_on": on.isoformat(),
                      "approved_at": iso(doc.approved_at), "approved_by": doc.approved_by,
                      "fields": {k: v.get("value") for k, v in (eff.get("fields") or {}).items()}})
    return {"items": items, "total": len(items)}
