"""Batch jobs: progress, folder import without traversal, resume after a crash, worker processes."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from svc_helpers import png_bytes
from sqlalchemy import func, select

from sohoa.serving.ingest import count_pages, now
from sohoa.serving.jobs import create_job, finish_item
from sohoa.serving.storage.tables import Document, JobItem


def test_job_of_uploaded_files(make_service):
    svc = make_service()
    files = [("files", (f"p{i}.png", png_bytes(100 + i), "image/png")) for i in range(3)]
    files.append(("files", ("dup.png", png_bytes(100), "image/png")))       # same content as p0
    files.append(("files", ("notes.txt", b"not a scan", "text/plain")))
    r = svc.client.post("/v1/jobs", files=files, headers=svc.h("system"))
    assert r.status_code == 202, r.text
    job = svc.wait_job(r.json()["id"])
    assert job["status"] == "completed" and job["total"] == 5 and job["progress"] == 1.0
    states = [it["state"] for it in job["items"]]
    assert states == ["done", "done", "done", "done", "failed"]
    assert job["items"][4]["error_status"] == 415
    assert job["items"][3]["document_id"] == job["items"][0]["document_id"]
    with svc.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Document).where(Document.status == "processed")) == 3
        assert s.scalar(select(func.sum(JobItem.completions))) == 3  # the duplicate was reused
    for it in job["items"][:3]:
        doc = svc.client.get(f"/v1/documents/{it['document_id']}", headers=svc.h("system")).json()
        assert doc["status"] == "processed"
    assert svc.client.get("/v1/jobs/job_nope", headers=svc.h("system")).status_code == 404
    bad = svc.client.post("/v1/jobs", json={"files": []}, headers=svc.h("system"))
    assert bad.status_code == 422 and bad.json()["error"]["code"]


def test_folder_import_stays_inside_allowed_folders(make_service, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "batch1").mkdir(parents=True)
    (inbox / "batch1" / "a.png").write_bytes(png_bytes(200))
    (inbox / "batch1" / "b.png").write_bytes(png_bytes(201))
    (inbox / "batch1" / "readme.md").write_text("skip me")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "s.png").write_bytes(png_bytes(202))
    os.symlink(secret, inbox / "batch1" / "link")  # a link out of the allowed folder is not followed
    svc = make_service(import_dirs=[inbox])
    c = svc.client
    r = c.post("/v1/jobs", json={"folder": "batch1"}, headers=svc.h("system"))
    assert r.status_code == 202, r.text
    job = svc.wait_job(r.json()["id"])
    assert sorted(it["filename"] for it in job["items"]) == ["a.png", "b.png"]
    assert all(it["state"] == "done" for it in job["items"])
    for folder in ("../secret", str(secret), "batch1/../../secret", "/etc", "batch1/link"):
        resp = c.post("/v1/jobs", json={"folder": folder}, headers=svc.h("system"))
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden_path", folder
    form = c.post("/v1/jobs", data={"folder": str(inbox / "batch1")}, headers=svc.h("system"))
    assert form.status_code == 202
    assert c.post("/v1/jobs", json={"folder": "batch1"}, headers=svc.h("reviewer")).status_code == 403


def test_folder_import_disabled_by_default(make_service):
    svc = make_service()
    r = svc.client.post("/v1/jobs", json={"folder": "/tmp"}, headers=svc.h("system"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "import_disabled"


def test_job_resumes_after_a_crash_and_nothing_is_processed_twice(make_service, tmp_path, monkeypatch):
    """A server died with one item claimed ('running') and others queued; the restarted server
    re-claims it, finishes the job, and no result is stored twice."""
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("SOHOA_FAKE_CALLS", str(calls))
    first = make_service()
    store = first.app.state.services.store
    files = []
    for i in range(4):
        data = png_bytes(300 + i)
        files.append({"filename": f"f{i}.png", "sha256": store.put_bytes(data), "size": len(data),
                      "pages": count_pages(data)})
    first.client.__exit__(None, None, None)  # stop the first server's dispatcher: it is "dead" now
    with first.sessions() as s:
        job = create_job(s, "test-system", files, reprocess=False)
        s.flush()
        items = s.scalars(select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.seq)).all()
        # the crashed server had claimed item 1 (lease still running) and finished item 0
        items[1].state, items[1].claim_token, items[1].attempts = "running", "dead-claim", 1
        items[1].lease_until = now() + timedelta(hours=1)
        s.commit()
        job_id, stale_id = job.id, items[1].id
    second = make_service()
    body = second.wait_job(job_id)
    assert body["status"] == "completed", body
    assert [it["state"] for it in body["items"]] == ["done"] * 4
    assert [it["completions"] for it in body["items"]] == [1, 1, 1, 1]
    assert body["items"][1]["attempts"] == 2  # re-claimed once after the crash
    processed = calls.read_text().split()
    assert sorted(processed) == sorted(f["sha256"] for f in files)  # each exactly once
    # the dead server's late answer cannot store a second result
    with second.sessions() as s:
        assert finish_item(s, stale_id, "dead-claim", {"ok": True, "result": {}}, "x") is False
        assert s.scalar(select(func.count()).select_from(Document)) == 4


def test_claims_are_exclusive(make_service):
    svc = make_service()
    svc.client.__exit__(None, None, None)  # no dispatcher: claim by hand
    from sohoa.serving.jobs import claim_next
    store = svc.app.state.services.store
    data = png_bytes(400)
    with svc.sessions() as s:
        create_job(s, "t", [{"filename": "a.png", "sha256": store.put_bytes(data), "size": len(data)}], False)
        s.commit()
    with svc.sessions() as a:
        got_a = claim_next(a, 60)
        item_id = got_a[0].id
    with svc.sessions() as b:
        assert claim_next(b, 60) is None
        # the claim is a conditional UPDATE: a dispatcher that read the same id earlier loses
        from sqlalchemy import update
        lost = b.execute(update(JobItem).where(JobItem.id == item_id, JobItem.state == "queued")
                         .values(state="running", claim_token="other"))
        assert lost.rowcount == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # once is enough
def test_worker_processes_and_long_documents_become_jobs(make_service):
    svc = make_service(workers=1, pipeline_factory="fake_pipeline:FakePipeline", sync_max_pages=1)
    ready = svc.client.get("/readyz").json()
    assert ready["workers"] == 1 and ready["models"]["ocr"] == "fake-1"
    r = svc.upload(png_bytes(500))
    assert r.status_code == 201 and r.json()["status"] == "processed"
    page = svc.client.get(f"/v1/documents/{r.json()['id']}/pages/1.png", headers=svc.h("system"))
    assert page.status_code == 200
    import io

    from PIL import Image
    frames = [Image.fromarray(__import__("numpy").full((280, 200, 3), 255 - 40 * i, "uint8")) for i in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    queued = svc.upload(buf.getvalue(), "two.tif")
    assert queued.status_code == 202 and queued.json()["job_id"], queued.text
    job = svc.wait_job(queued.json()["job_id"])
    assert job["status"] == "completed" and job["items"][0]["state"] == "done", job
    doc = svc.client.get(f"/v1/documents/{queued.json()['id']}", headers=svc.h("system")).json()
    assert doc["status"] == "processed" and len(doc["pages"]) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_crashing_worker_is_replaced(make_service):
    svc = make_service(workers=1, pipeline_factory="fake_pipeline:FakePipeline")
    r = svc.upload(png_bytes(600), "crash-worker.png")
    assert r.status_code == 500 and r.json()["error"]["message"] == "worker process crashed"
    ok = svc.upload(png_bytes(601), "fine.png")  # a fresh pool took over
    assert ok.status_code == 201, ok.text
    files = [("files", ("crash-worker-2.png", png_bytes(602), "image/png")),
             ("files", ("fine-2.png", png_bytes(603), "image/png"))]
    job = svc.wait_job(svc.client.post("/v1/jobs", files=files, headers=svc.h("system")).json()["id"])
    crashed, fine = job["items"]
    assert crashed["state"] == "failed" and crashed["attempts"] == 2 and crashed["error_status"] == 500
    assert fine["state"] == "done" and fine["completions"] == 1
