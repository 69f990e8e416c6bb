"""/healthz (alive), /readyz (database reachable and pipeline loaded), /metrics (Prometheus)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from sohoa.serving.api.errors import error_response
from sohoa.serving.jobs import queue_depth

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", summary="Ready to process: database reachable, pipeline loaded")
def readyz(request: Request):
    svc = request.app.state.services
    try:
        with svc.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return error_response(503, "database unreachable", "not_ready")
    if not svc.runner.ready:
        reason = "pipeline failed to load" if svc.runner.error else "pipeline loading"
        return error_response(503, reason, "not_ready")
    return JSONResponse({"status": "ready", "models": svc.runner.models, "workers": svc.runner.workers})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request):
    svc = request.app.state.services
    try:
        with svc.sessions() as session:
            for state, n in queue_depth(session).items():
                svc.metrics.queue_depth.labels(state).set(n)
    except Exception:
        pass
    svc.metrics.ready.set(1 if svc.runner.ready else 0)
    return Response(svc.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/vocabulary", tags=["documents"], summary="Doc types (with Vietnamese names) and field names")
def vocabulary():
    from sohoa.models.config import get_vocabulary

    vocab = get_vocabulary()
    return {"doc_types": {label: spec.get("name_vi", label) for label, spec in vocab.doc_types.items()},
            "fields": vocab.field_names}
