"""Batch jobs: a queue of items in the database, claimed atomically, run on the worker pool.

Item states: ``queued -> running -> done | failed``. A claim sets a fresh ``claim_token`` and a
lease; finishing writes the document and marks the item done in one transaction, and only if the
claim still holds, so a result is never stored twice. After a crash, items left ``running`` go
back to ``queued`` (at startup when this server is the only dispatcher, else when their lease
runs out) and are processed then; ``attempts`` counts claims, ``completions`` counts stored results.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from sohoa.serving.ingest import DONE, apply_outcome, get_or_create, iso, now
from sohoa.serving.storage.tables import Document, Job, JobItem

log = logging.getLogger("sohoa.serving.jobs")


def create_job(session: Session, actor: str, files: list[dict[str, Any]], reprocess: bool) -> Job:
    """``files``: dicts with filename and either sha256 + size + pages, or error + status."""
    job = Job(id="job_" + uuid.uuid4().hex[:20], created_by=actor, created_at=now(),
              total=len(files), reprocess=reprocess)
    session.add(job)
    session.flush()
    for seq, f in enumerate(files):
        item = JobItem(job_id=job.id, seq=seq, filename=f["filename"][:255], sha256=f.get("sha256"),
                       state="queued", attempts=0, completions=0)
        if f.get("error"):
            item.state, item.error, item.error_status = "failed", f["error"][:1000], f.get("status", 422)
            item.finished_at = now()
        else:
            doc, created = get_or_create(session, f["sha256"], f["filename"], f["size"], f.get("pages", 0),
                                         "queued")
            item.document_id = doc.id
            if not created and doc.status in DONE and not reprocess:
                item.state, item.finished_at = "done", now()  # already in the store: reused
            elif doc.status == "failed":
                doc.status, doc.error = "queued", None
        session.add(item)
    return job


def job_view(session: Session, job: Job) -> dict[str, Any]:
    items = session.scalars(select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.seq)).all()
    counts = {s: 0 for s in ("queued", "running", "done", "failed")}
    for it in items:
        counts[it.state] = counts.get(it.state, 0) + 1
    finished = counts["done"] + counts["failed"]
    return {
        "id": job.id, "created_at": iso(job.created_at), "created_by": job.created_by,
        "status": "completed" if finished == job.total else ("running" if finished or counts["running"]
                                                             else "queued"),
        "total": job.total, "counts": counts,
        "progress": round(finished / job.total, 4) if job.total else 1.0,
        "items": [{"seq": it.seq, "filename": it.filename, "state": it.state, "document_id": it.document_id,
                   "reused": it.state == "done" and it.completions == 0, "attempts": it.attempts,
                   "completions": it.completions, "error": it.error,
                   "error_status": it.error_status, "finished_at": iso(it.finished_at)} for it in items],
    }


def requeue_running(session: Session, only_expired: bool) -> int:
    cond = JobItem.state == "running"
    if only_expired:
        cond = cond & (JobItem.lease_until < now())
    res = session.execute(update(JobItem).where(cond).values(state="queued", claim_token=None,
                                                              lease_until=None))
    return res.rowcount or 0


def interrupt_orphans(session: Session) -> int:
    """Documents left 'processing' by a crashed upload request (no job item will finish them)."""
    pending = select(JobItem.document_id).where(JobItem.state.in_(("queued", "running")),
                                                JobItem.document_id.is_not(None))
    res = session.execute(update(Document).where(Document.status == "processing",
                                                 Document.id.not_in(pending))
                          .values(status="failed", error="interrupted by a restart; upload it again",
                                  updated_at=now()))
    return res.rowcount or 0


def claim_next(session: Session, lease_s: float) -> tuple[JobItem, str] | None:
    """Claim the oldest queued item: a conditional UPDATE, so two dispatchers never share one."""
    for _ in range(5):
        item_id = session.scalar(select(JobItem.id).where(JobItem.state == "queued")
                                 .order_by(JobItem.id).limit(1))
        if item_id is None:
            return None
        token = uuid.uuid4().hex
        res = session.execute(update(JobItem)
                              .where(JobItem.id == item_id, JobItem.state == "queued")
                              .values(state="running", claim_token=token, attempts=JobItem.attempts + 1,
                                      lease_until=now() + timedelta(seconds=lease_s)))
        if res.rowcount == 1:
            session.commit()
            return session.get(JobItem, item_id), token
        session.rollback()
    return None


def finish_item(session: Session, item_id: int, token: str, outcome: dict[str, Any], actor: str
                ) -> bool:
    """Store the outcome and mark the item finished, atomically, if our claim still holds."""
    state = "done" if outcome.get("ok") else "failed"
    res = session.execute(update(JobItem)
                          .where(JobItem.id == item_id, JobItem.claim_token == token,
                                 JobItem.state == "running")
                          .values(state=state, finished_at=now(), lease_until=None,
                                  completions=JobItem.completions + (1 if outcome.get("ok") else 0),
                                  error=None if outcome.get("ok") else outcome.get("reason", "")[:1000],
                                  error_status=None if outcome.get("ok") else outcome.get("status")))
    if res.rowcount != 1:
        session.rollback()
        return False
    item = session.get(JobItem, item_id)
    doc = session.get(Document, item.document_id) if item.document_id else None
    if doc is not None:
        apply_outcome(session, doc, outcome, actor=actor if doc.result is not None else None)
    session.commit()
    return True


def queue_depth(session: Session) -> dict[str, int]:
    rows = session.execute(select(JobItem.state, func.count()).where(JobItem.state.in_(("queued", "running")))
                           .group_by(JobItem.state)).all()
    depth = {"queued": 0, "running": 0}
    depth.update({state: n for state, n in rows})
    return depth


class Dispatcher:
    """Feeds queued items to the runner, at most ``capacity`` at a time, from the event loop."""

    def __init__(self, sessions: sessionmaker, runner, metrics, lease_s: float, poll_s: float):
        self.sessions = sessions
        self.runner = runner
        self.metrics = metrics
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.inflight: dict[int, str] = {}
        self.max_attempts = 2  # a page whose worker crashed is tried once more, then failed
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="sohoa-dispatcher")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def _loop(self) -> None:
        last_renew = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                if not self.runner.ready:
                    await asyncio.sleep(self.poll_s)
                    continue
                while len(self.inflight) < self.runner.capacity:
                    claimed = await asyncio.to_thread(self._claim)
                    if claimed is None:
                        break
                    item_id, token, sha, filename, attempts = claimed
                    self.inflight[item_id] = token
                    asyncio.create_task(self._run(item_id, token, sha, filename, attempts))
                if loop.time() - last_renew > self.lease_s / 3:
                    last_renew = loop.time()
                    await asyncio.to_thread(self._renew)
                    await asyncio.to_thread(self._expire)
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
                except asyncio.TimeoutError:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("dispatcher error: %s", type(exc).__name__)
                await asyncio.sleep(1.0)

    def _claim(self):
        with self.sessions() as session:
            claimed = claim_next(session, self.lease_s)
            if claimed is None:
                return None
            item, token = claimed
            doc = session.get(Document, item.document_id)
            job = session.get(Job, item.job_id)
            if doc is not None and doc.status in DONE and not job.reprocess:
                # The same content finished meanwhile (a duplicate in a batch): reuse it.
                session.execute(update(JobItem).where(JobItem.id == item.id, JobItem.claim_token == token)
                                .values(state="done", finished_at=now(), lease_until=None))
                session.commit()
                return self._claim()
            if doc is not None and doc.status == "queued":
                doc.status = "processing"
                session.commit()
            return item.id, token, item.sha256, item.filename, item.attempts

    def _renew(self) -> None:
        if not self.inflight:
            return
        with self.sessions() as session:
            for item_id, token in list(self.inflight.items()):
                session.execute(update(JobItem).where(JobItem.id == item_id, JobItem.claim_token == token)
                                .values(lease_until=now() + timedelta(seconds=self.lease_s)))
            session.commit()

    def _expire(self) -> None:
        with self.sessions() as session:
            if requeue_running(session, only_expired=True):
                session.commit()

    async def _run(self, item_id: int, token: str, sha: str, filename: str, attempts: int) -> None:
        try:
            outcome = await self.runner.process(sha, filename)
            if outcome.get("retry") and attempts < self.max_attempts:
                # its worker died (maybe because of another page): give it another go
                await asyncio.to_thread(self._release, item_id, token)
                return
            stored = await asyncio.to_thread(self._finish, item_id, token, outcome)
            if stored:
                self.metrics.documents.labels("ok" if outcome.get("ok") else "failed").inc()
                if outcome.get("ok"):
                    self.metrics.pages.inc(len(outcome["result"].get("pages") or []))
                    self.metrics.processing.observe(outcome.get("ms", 0) / 1000)
            else:
                log.warning("job item %s: claim lost, result discarded", item_id)
        except Exception as exc:
            log.error("job item %s failed: %s", item_id, type(exc).__name__)
        finally:
            self.inflight.pop(item_id, None)
            self._wake.set()

    def _release(self, item_id: int, token: str) -> None:
        with self.sessions() as session:
            session.execute(update(JobItem).where(JobItem.id == item_id, JobItem.claim_token == token,
                                                  JobItem.state == "running")
                            .values(state="queued", claim_token=None, lease_until=None))
            session.commit()

    def _finish(self, item_id: int, token: str, outcome: dict[str, Any]) -> bool:
        with self.sessions() as session:
            return finish_item(session, item_id, token, outcome, actor="system:job")
