"""/v1/jobs: batches of files (uploaded, or from a server-side folder that config allows)."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from sohoa.serving.api.deps import Caller, get_session, require
from sohoa.serving.api.errors import ERROR_RESPONSES, ApiError
from sohoa.serving.jobs import create_job, job_view
from sohoa.serving.storage.blobs import TooLarge
from sohoa.serving.storage.tables import Job

router = APIRouter(prefix="/v1", tags=["jobs"])

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}
JOB_EXAMPLE = {"id": "job_0a1b2c3d4e5f60718293", "status": "running", "total": 3,
               "counts": {"queued": 1, "running": 1, "done": 1, "failed": 0}, "progress": 0.3333,
               "items": [{"seq": 0, "filename": "a.jpg", "state": "done", "document_id": "3f1c2a9b8d7e6f5a4b3c2d1e",
                          "reused": False, "attempts": 1, "completions": 1, "error": None}]}


def resolve_import_dir(folder: str, roots: list[Path]) -> Path:
    """The folder, if it lies inside one of the allowed roots (after resolving links and '..')."""
    if not roots:
        raise ApiError(403, "folder import is not enabled on this server", "import_disabled")
    if "\x00" in folder or len(folder) > 1000:
        raise ApiError(422, "invalid folder", "invalid_request")
    candidate = Path(folder)
    targets = [candidate] if candidate.is_absolute() else [Path(r) / candidate for r in roots]
    for target in targets:
        real = target.resolve()
        for root in roots:
            if real.is_relative_to(Path(root).resolve()) and real.is_dir():
                return real
    raise ApiError(403, "folder is not inside an allowed import folder", "forbidden_path")


def _folder_files(folder: Path, max_files: int) -> list[Path]:
    root = folder.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.suffix.lower() in SCAN_SUFFIXES and path.resolve().is_relative_to(root) and path.is_file():
                files.append(path)
                if len(files) > max_files:
                    raise ApiError(413, f"too many files in the folder (limit {max_files})")
    if not files:
        raise ApiError(422, "no PNG, JPEG, TIFF or PDF files in the folder", "empty_folder")
    return files


def _store_one(svc, stream, filename: str) -> dict:
    from sohoa.serving.ingest import count_pages

    try:
        sha, size = svc.store.put_stream(stream, svc.settings.limits.max_bytes)
    except TooLarge:
        return {"filename": filename, "error": f"file too large: more than {svc.settings.limits.max_bytes} "
                "bytes", "status": 413}
    if size == 0:
        return {"filename": filename, "error": "empty file (0 bytes)", "status": 422}
    return {"filename": filename, "sha256": sha, "size": size,
            "pages": count_pages(svc.store.read_original(sha))}


@router.post("/jobs", status_code=202, summary="Submit a batch: multipart 'files', or a server-side 'folder'",
             responses={202: {"content": {"application/json": {"example": JOB_EXAMPLE}}}, **ERROR_RESPONSES},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                     "folder": {"type": "string"}, "reprocess": {"type": "boolean"}}}},
                 "application/json": {"schema": {"type": "object", "properties": {
                     "folder": {"type": "string"}, "reprocess": {"type": "boolean"}}},
                     "example": {"folder": "inbox/2026-11-22"}}}}})
async def submit_job(request: Request, caller: Caller = Depends(require("upload"))):
    svc = request.app.state.services
    settings = svc.settings
    ctype = request.headers.get("content-type", "")
    folder, uploads, reprocess, form = None, [], False, None
    if ctype.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(422, "invalid JSON body", "invalid_request") from None
        if not isinstance(body, dict):
            raise ApiError(422, "expected a JSON object", "invalid_request")
        folder, reprocess = body.get("folder"), bool(body.get("reprocess", False))
    elif ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=settings.max_job_files, max_fields=20)
        uploads = [f for f in form.getlist("files") if hasattr(f, "read")]
        folder = form.get("folder") if isinstance(form.get("folder"), str) else None
        reprocess = str(form.get("reprocess", "")).lower() in ("1", "true", "yes")
    else:
        raise ApiError(415, "send multipart/form-data with 'files', or JSON with 'folder'")
    try:
        view = await _enqueue(svc, caller, folder, uploads, reprocess)
    finally:
        if form is not None:
            await form.close()  # the spooled upload files
    svc.dispatcher.wake()
    return JSONResponse(view, status_code=202)


async def _enqueue(svc, caller: Caller, folder, uploads, reprocess: bool) -> dict:
    settings = svc.settings
    if bool(uploads) == bool(folder):
        raise ApiError(422, "give either 'files' or 'folder'", "invalid_request")

    if folder:
        root = resolve_import_dir(str(folder), settings.import_dirs)
        paths = await asyncio.to_thread(_folder_files, root, settings.max_job_files)

        def store_paths():
            out = []
            for p in paths:
                with open(p, "rb") as fh:
                    out.append(_store_one(svc, fh, str(p.relative_to(root))))
            return out
        files = await asyncio.to_thread(store_paths)
    else:
        files = []
        for up in uploads:
            name = (up.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
            files.append(await asyncio.to_thread(_store_one, svc, up.file, name))

    def enqueue():
        with svc.sessions() as session:
            job = create_job(session, caller.name, files, reprocess)
            session.commit()
            return job_view(session, job)
    return await asyncio.to_thread(enqueue)


@router.get("/jobs/{job_id}", summary="Progress and per-file status of a job",
            responses={200: {"content": {"application/json": {"example": JOB_EXAMPLE}}}, **ERROR_RESPONSES})
def get_job(job_id: str, session: Session = Depends(get_session), _caller: Caller = Depends(require("read"))):
    job = session.get(Job, job_id) if len(job_id) <= 40 else None
    if job is None:
        raise ApiError(404, "no such job")
    return job_view(session, job)
