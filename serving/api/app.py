"""The app factory: ``create_app(settings)``."""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from sohoa.serving.api import documents, errors, export, health, jobs, keys, records
from sohoa.serving.api.metrics import Metrics
from sohoa.serving.api.middleware import BodyLimit, RequestMetrics
from sohoa.serving.jobs import Dispatcher, interrupt_orphans, requeue_running
from sohoa.serving.runner import Runner
from sohoa.serving.settings import ServiceSettings
from sohoa.serving.storage.blobs import BlobStore
from sohoa.serving.storage.database import make_engine, make_sessionmaker, migrate

log = logging.getLogger("sohoa.serving")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

DESCRIPTION = """Document intelligence for scanned Vietnamese administrative papers.

Authenticate with `Authorization: Bearer <key>` (create keys with `sohoa keys create --role ROLE`).
Roles: `system` uploads and reads, `reviewer` reads, corrects and approves, `admin` manages keys.
Errors are JSON: `{"error": {"code": ..., "message": ...}}`. The review page is at `/review`."""


@dataclass
class Services:
    settings: ServiceSettings
    engine: Engine
    sessions: sessionmaker
    store: BlobStore
    runner: Runner
    metrics: Metrics
    dispatcher: Dispatcher | None = None


def init_storage(settings: ServiceSettings) -> tuple[Engine, sessionmaker, BlobStore]:
    """Engine with migrations applied, a session factory and the blob store."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine, make_sessionmaker(engine), BlobStore(Path(settings.storage_dir))


def create_app(settings: ServiceSettings | None = None, pipeline: Any = None) -> FastAPI:
    """The service. ``pipeline``: an already built pipeline object to run in-process (tests)."""
    settings = settings or ServiceSettings()
    engine, sessions, store = init_storage(settings)
    metrics = Metrics()
    runner = Runner(settings.pipeline_factory, Path(settings.storage_dir), settings.workers, pipeline)
    services = Services(settings, engine, sessions, store, runner, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        with sessions() as session:
            if settings.single_dispatcher:
                n = requeue_running(session, only_expired=False)
                if n:
                    log.warning("requeued %d job item(s) left running by a previous run", n)
            interrupt_orphans(session)
            session.commit()
        services.dispatcher = Dispatcher(sessions, runner, metrics, settings.lease_s, settings.dispatcher_poll_s)

        async def load():
            started = time.perf_counter()
            await runner.start()
            if runner.ready:
                metrics.set_models(runner.models)
                log.info("pipeline ready in %.1f s (%s worker(s))", time.perf_counter() - started,
                         settings.workers)
                services.dispatcher.wake()
        loader = asyncio.create_task(load())
        services.dispatcher.start()
        try:
            yield
        finally:
            await services.dispatcher.stop()
            loader.cancel()
            runner.shutdown()
            engine.dispose()

    app = FastAPI(title="sohoa", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  openapi_tags=[{"name": n} for n in ("documents", "jobs", "records", "export", "keys", "health")])
    app.state.services = services
    errors.install(app)
    for module in (documents, jobs, records, export, keys, health):
        app.include_router(module.router)

    @app.get("/review", include_in_schema=False)
    def review_page():
        return FileResponse(STATIC_DIR / "review.html", media_type="text/html; charset=utf-8")

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/review")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    max_bytes = settings.limits.max_bytes
    job_cap = settings.max_job_bytes

    def limit_for(path: str) -> int:  # request bodies: one scan, a batch, or a small JSON
        return {"/v1/documents": max_bytes + (1 << 20), "/v1/jobs": job_cap}.get(path.rstrip("/"), 1 << 20)

    app.add_middleware(BodyLimit, limit_for=limit_for)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=[str(o) for o in settings.cors_origins],
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app
