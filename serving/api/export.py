"""/v1/export: approved and corrected documents as a zipped ``datasets`` folder (save_to_disk)."""
from __future__ import annotations

import asyncio
import os
from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from sohoa.serving.api.deps import Caller, require
from sohoa.serving.api.errors import ERROR_RESPONSES, ApiError
from sohoa.serving.export import export_zip, reviewed_documents

router = APIRouter(prefix="/v1", tags=["export"])


def parse_since(since: str | None) -> datetime | None:
    if not since:
        return None
    try:
        value = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, "since: expected an ISO date or date-time", "invalid_request") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@router.get("/export", summary="Reviewed documents as a HF datasets folder (zip of save_to_disk)",
            response_class=FileResponse,
            responses={200: {"description": "a zip holding dataset/ (load with datasets.load_from_disk); "
                             "header X-Sohoa-Rows gives the number of page rows",
                             "content": {"application/zip": {}}}, **ERROR_RESPONSES})
async def export(request: Request, since: str | None = Query(None, description="only documents reviewed "
                                                             "since this ISO date-time"),
                 _caller: Caller = Depends(require("review"))):
    svc = request.app.state.services
    when = parse_since(since)
    if when is not None and svc.engine.dialect.name == "sqlite":
        when = when.replace(tzinfo=None)  # SQLite stores naive UTC

    def build():
        with svc.sessions() as session:  # read, then let go of the database before the heavy part
            docs = reviewed_documents(session, when)
            session.expunge_all()
        rows = sum(len((d.result or {}).get("pages") or []) for d in docs)
        return export_zip(svc.store, docs, svc.store.root / "tmp"), len(docs), rows
    path, n_docs, n_rows = await asyncio.to_thread(build)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return FileResponse(path, media_type="application/zip", filename=f"sohoa-review-{stamp}.zip",
                        headers={"X-Sohoa-Documents": str(n_docs), "X-Sohoa-Rows": str(n_rows)},
                        background=BackgroundTask(os.unlink, path))
