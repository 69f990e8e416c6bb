"""/v1/keys: API key management (admin)."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.serving.api.deps import Caller, get_session, require
from sohoa.serving.api.errors import ERROR_RESPONSES, ApiError
from sohoa.serving.ingest import iso
from sohoa.serving.security import ROLES, create_key, revoke_key
from sohoa.serving.storage.tables import ApiKey

router = APIRouter(prefix="/v1", tags=["keys"])


class NewKey(BaseModel):
    role: str = Field(..., examples=["reviewer"], description=" | ".join(ROLES))
    name: str | None = Field(None, max_length=100, examples=["reviewer-hanoi-1"])


def _view(row: ApiKey) -> dict:
    return {"id": row.id, "name": row.name, "role": row.role, "prefix": row.prefix,
            "created_at": iso(row.created_at), "revoked_at": iso(row.revoked_at)}


@router.post("/keys", status_code=201, summary="Create a key; the token is shown once",
             responses={201: {"content": {"application/json": {"example": {
                 "id": 2, "name": "reviewer-hanoi-1", "role": "reviewer", "prefix": "sohoa_AbCdEf",
                 "key": "sohoa_AbCdEf…"}}}}, **ERROR_RESPONSES})
def new_key(body: NewKey, session: Session = Depends(get_session), _caller: Caller = Depends(require("keys"))):
    if body.role not in ROLES:
        raise ApiError(422, f"unknown role; one of {', '.join(ROLES)}", "invalid_request")
    row, token = create_key(session, body.role, body.name)
    session.commit()
    return {**_view(row), "key": token}


@router.get("/keys", summary="List keys (never their tokens)")
def list_keys(session: Session = Depends(get_session), _caller: Caller = Depends(require("keys"))):
    return {"items": [_view(r) for r in session.scalars(select(ApiKey).order_by(ApiKey.id))]}


@router.delete("/keys/{key_id}", summary="Revoke a key")
def delete_key(key_id: int, session: Session = Depends(get_session), _caller: Caller = Depends(require("keys"))):
    if not revoke_key(session, key_id):
        raise ApiError(404, "no such active key")
    session.commit()
    return {"id": key_id, "revoked": True}
