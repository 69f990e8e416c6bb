"""Running the pipeline: in worker processes (each builds one Pipeline, once) or in-process.

The worker side works on content-addressed originals in the blob store and writes the rendered
page images next to them, so that only a small JSON result crosses the process boundary.
"""
from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np

from sohoa.models.loading import InputError
from sohoa.serving.storage.blobs import BlobStore

log = logging.getLogger("sohoa.serving.runner")

_PIPELINE: Any = None
_STORE: BlobStore | None = None


def build_pipeline(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attr or "Pipeline")
    return factory()


def _exit_with_parent(parent: int) -> None:
    """A worker whose server died (kill -9) must not live on as an orphan."""
    import threading

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(1.0)
    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _init_worker(spec: str, storage_dir: str) -> None:
    global _PIPELINE, _STORE
    _exit_with_parent(os.getppid())
    # One page per worker; the workers are the parallelism: single-threaded Tesseract and BLAS.
    os.environ.setdefault("SOHOA_TESSERACT_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _PIPELINE = build_pipeline(spec)
    _STORE = BlobStore(Path(storage_dir))


def _ping() -> dict[str, Any]:
    return {"pid": os.getpid(), "models": dict(getattr(_PIPELINE, "model_versions", {}) or {})}


def _encode_png(image: np.ndarray) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", np.ascontiguousarray(image[:, :, ::-1]),
                           [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()


def render_pages(pipeline: Any, data: bytes, filename: str, result: dict) -> list[np.ndarray]:
    """Page images in result coordinates: the scan read again, with the result's rotation and
    deskew applied (``sohoa.models.pipeline.apply_geometry``), at the result's page size."""
    import cv2
    from sohoa.models.config import get_settings
    from sohoa.models.loading import load_pages

    pages = result.get("pages") or []
    if hasattr(pipeline, "render_page"):
        return [np.asarray(pipeline.render_page(data, filename, p["number"])) for p in pages]
    try:
        from sohoa.models.pipeline import apply_geometry
    except ImportError:  # an older pipeline: rotation only
        apply_geometry = None
    settings = getattr(pipeline, "settings", None) or get_settings()
    images = {p.number: p.image for p in load_pages(data, filename, settings.limits, settings.pdf_dpi)}
    out = []
    for page in pages:
        img = images.get(page["number"])
        if img is None:
            img = np.full((page["height"], page["width"], 3), 255, np.uint8)
        rotation, skew = int(page.get("rotation", 0)) % 360, float(page.get("skew", 0.0) or 0.0)
        if apply_geometry is not None:
            img = apply_geometry(img, rotation, skew)
        elif rotation:
            img = np.ascontiguousarray(np.rot90(img, k=-(rotation // 90)))  # rotation is clockwise
        if img.shape[1] != page["width"] or img.shape[0] != page["height"]:
            img = cv2.resize(img, (page["width"], page["height"]), interpolation=cv2.INTER_AREA)
        out.append(np.ascontiguousarray(img))
    return out


def process_stored(sha256: str, filename: str, pipeline: Any = None, store: BlobStore | None = None
                   ) -> dict[str, Any]:
    """Process one stored original; returns {"ok", "result", "ms"} or {"ok": False, "status", "reason"}."""
    pipeline = pipeline or _PIPELINE
    store = store or _STORE
    t0 = time.perf_counter()
    data = store.read_original(sha256)
    try:
        doc = pipeline.process_bytes(data, filename)
    except InputError as exc:
        return {"ok": False, "status": exc.status, "reason": exc.reason}
    except Exception as exc:  # a pipeline bug must not kill the worker; no page text in the log
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        at = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 2)[-1]}:{tb.tb_lineno}" if tb else "?"
        log.error("pipeline failed on %s: %s at %s", sha256[:12], type(exc).__name__, at)
        return {"ok": False, "status": 500, "reason": f"processing failed: {type(exc).__name__}"}
    result = doc.model_dump(mode="json") if hasattr(doc, "model_dump") else dict(doc)
    try:
        for page, image in zip(result.get("pages") or [], render_pages(pipeline, data, filename, result)):
            store.put_page_png(sha256, page["number"], _encode_png(image))
    except Exception as exc:  # the result is still good without page images
        log.warning("page rendering failed on %s: %s", sha256[:12], type(exc).__name__)
        result.setdefault("warnings", []).append("page images could not be rendered")
    return {"ok": True, "result": result, "ms": (time.perf_counter() - t0) * 1000}


class Runner:
    """Submits work to the worker pool from the event loop."""

    def __init__(self, spec: str, storage_dir: Path, workers: int, pipeline: Any = None):
        self.spec = spec
        self.storage_dir = Path(storage_dir)
        self.workers = workers
        self.pipeline = pipeline
        self.store = BlobStore(self.storage_dir)
        self.ready = False
        self.models: dict[str, str] = {}
        self.error: str | None = None
        self._executor: Executor | None = None

    @property
    def capacity(self) -> int:
        return max(1, self.workers)

    def _make_executor(self) -> Executor:
        if self.workers <= 0 or self.pipeline is not None:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline")
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(self.spec, str(self.storage_dir)))

    async def start(self) -> None:
        """Build the pipeline(s); /readyz answers 200 once this is done."""
        loop = asyncio.get_running_loop()
        try:
            if self.workers <= 0 or self.pipeline is not None:
                if self.pipeline is None:
                    self.pipeline = await loop.run_in_executor(None, build_pipeline, self.spec)
                self._executor = self._make_executor()
                self.models = dict(getattr(self.pipeline, "model_versions", {}) or {})
            else:
                self._executor = self._make_executor()
                pings = [loop.run_in_executor(self._executor, _ping) for _ in range(self.workers)]
                self.models = (await asyncio.gather(*pings))[0]["models"]
            self.ready = True
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("pipeline failed to load: %s", self.error)

    async def process(self, sha256: str, filename: str) -> dict[str, Any]:
        executor = self._executor
        if executor is None:
            raise RuntimeError("runner not started")
        loop = asyncio.get_running_loop()
        try:
            if isinstance(executor, ThreadPoolExecutor):
                return await loop.run_in_executor(executor, process_stored, sha256, filename,
                                                  self.pipeline, self.store)
            return await loop.run_in_executor(executor, process_stored, sha256, filename)
        except BrokenProcessPool:
            # A worker died (out of memory, a native crash): every page in flight on this pool is
            # lost. Start one fresh pool (once, whoever notices first); callers may retry.
            if self._executor is executor:
                log.error("worker pool broken; restarting it")
                self._executor = self._make_executor()
                executor.shutdown(wait=False, cancel_futures=True)
            return {"ok": False, "status": 500, "reason": "worker process crashed", "retry": True}

    def shutdown(self) -> None:
        """Graceful stop: queued work is cancelled (job items stay claimable), running pages finish."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
