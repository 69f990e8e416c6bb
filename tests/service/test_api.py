"""The service against the real app (FakePipeline test double for speed), on SQLite and PostgreSQL."""
from __future__ import annotations

import io

from svc_helpers import png_bytes
from sqlalchemy import func, select

from sohoa.models.config import Limits
from sohoa.serving.storage.tables import AuditEvent, Document


def assert_error(resp, status: int, code: str | None = None):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    if code:
        assert body["error"]["code"] == code, body


def test_auth_and_roles(make_service):
    svc = make_service()
    c = svc.client
    assert_error(c.get("/v1/documents"), 401, "unauthorized")
    assert_error(c.get("/v1/documents", headers={"Authorization": "Bearer nope"}), 401)
    assert_error(c.get("/v1/documents", headers={"Authorization": "Basic abc"}), 401)
    assert c.get("/v1/documents", headers=svc.h("system")).status_code == 200
    assert_error(svc.upload(png_bytes(1), role="reviewer"), 403, "forbidden")
    doc = svc.upload(png_bytes(1)).json()
    assert_error(c.patch(f"/v1/documents/{doc['id']}", json={"doc_type": "other"}, headers=svc.h("system")), 403)
    assert_error(c.post(f"/v1/documents/{doc['id']}/approve", headers=svc.h("system")), 403)
    assert_error(c.get("/v1/keys", headers=svc.h("reviewer")), 403)
    new = c.post("/v1/keys", json={"role": "reviewer", "name": "r2"}, headers=svc.h("admin"))
    assert new.status_code == 201 and new.json()["key"].startswith("sohoa_")
    token, key_id = new.json()["key"], new.json()["id"]
    assert c.get("/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = c.get("/v1/keys", headers=svc.h("admin")).json()["items"]
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert c.delete(f"/v1/keys/{key_id}", headers=svc.h("admin")).status_code == 200
    assert_error(c.get("/v1/documents", headers={"Authorization": f"Bearer {token}"}), 401)
    # CORS is closed by default
    r = c.options("/v1/documents", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers


def test_upload_is_idempotent_by_content(make_service):
    svc = make_service()
    first = svc.upload(png_bytes(2), "a.png")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["source"]["sha256"] and body["id"] == body["source"]["sha256"][:24]
    assert body["doc_type"]["label"] == "license" and body["status"] == "processed"
    again = svc.upload(png_bytes(2), "renamed.png")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    redo = svc.upload(png_bytes(2), "a.png", reprocess="true")
    assert redo.status_code == 200 and redo.json()["id"] == body["id"]
    with svc.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert [e.action for e in s.scalars(select(AuditEvent))] == ["reprocess"]
    page = svc.client.get(f"/v1/documents/{body['id']}/pages/1.png?boxes=true", headers=svc.h("reviewer"))
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    assert_error(svc.client.get(f"/v1/documents/{body['id']}/pages/2.png", headers=svc.h("system")), 404)
    assert_error(svc.client.get("/v1/documents/nope", headers=svc.h("system")), 404, "not_found")


def test_upload_limits_answer_json_errors(make_service):
    svc = make_service(limits=Limits(max_bytes=40_000, max_pages=2, max_pixels=300 * 300))
    assert_error(svc.upload(b"\x89PNG" + b"0" * 60_000), 413, "too_large")      # over max_bytes
    assert_error(svc.upload(png_bytes(3, size=(400, 400))), 413)                 # over max_pixels
    assert_error(svc.upload(b"just some text", "a.txt"), 415)                    # not a scan
    assert_error(svc.upload(b"", "empty.png"), 422)                              # empty
    assert_error(svc.upload(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "bad.png"), 422)  # corrupt
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument.new()
    for _ in range(3):
        pdf.new_page(200, 280)
    buf = io.BytesIO()
    pdf.save(buf)
    assert_error(svc.upload(buf.getvalue(), "three.pdf"), 413)                  # over max_pages
    assert_error(svc.client.post("/v1/documents", headers=svc.h("system")), 422)  # no file
    # a body announced larger than the cap is refused before it is read
    big = svc.client.post("/v1/documents", headers={**svc.h("system"), "Content-Type": "multipart/form-data; "
                          "boundary=x", "Content-Length": str(10 ** 9)}, content=b"--x--")
    assert_error(big, 413)
    with svc.sessions() as s:  # nothing was stored for refused uploads
        assert s.scalar(select(func.count()).select_from(Document)) == 0


def test_corrections_are_audited_and_never_overwrite_the_machine_result(make_service):
    svc = make_service()
    c = svc.client
    doc = svc.upload(png_bytes(4)).json()
    url = f"/v1/documents/{doc['id']}"
    assert_error(c.patch(url, json={"doc_type": "nonsense"}, headers=svc.h("reviewer")), 422)
    assert_error(c.patch(url, json={"fields": {"shoe_size": {"value": "42"}}}, headers=svc.h("reviewer")), 422)
    r = c.patch(url, headers=svc.h("reviewer"), json={
        "doc_type": "certificate",
        "fields": {"document_number": {"value": "99/GCN-SYT", "bbox": [1, 2, 30, 40]},
                   "holder_name": {"value": "Nguyễn Thị Minh Thư"}, "personal_id": None}})
    assert r.status_code == 200, r.text
    eff = r.json()
    assert eff["status"] == "corrected" and eff["doc_type"]["label"] == "certificate"
    assert eff["fields"]["document_number"] == {"value": "99/GCN-SYT", "text": "Số: 12/GP-SYT", "confidence": 1.0,
                                                "page": 1, "bbox": [1, 2, 30, 40], "source": "reviewer"}
    assert eff["fields"]["holder_name"]["source"] == "reviewer" and "personal_id" not in eff["fields"]
    assert eff["review"]["machine_doc_type"] == "license"
    with svc.sessions() as s:
        row = s.get(Document, doc["id"])
        assert row.result["fields"]["document_number"]["value"] == "12/GP-SYT"  # machine result intact
        assert row.result["doc_type"]["label"] == "license"
    ok = c.post(f"{url}/approve", headers=svc.h("reviewer"))
    assert ok.json()["status"] == "approved" and ok.json()["review"]["approved_by"] == "test-reviewer"
    trail = c.get(f"{url}/audit", headers=svc.h("system")).json()["items"]
    assert [e["action"] for e in trail] == ["correct", "approve"]
    assert trail[0]["actor"] == "test-reviewer" and trail[0]["at"]
    assert trail[0]["before"]["doc_type"] == "license" and trail[0]["after"]["doc_type"] == "certificate"
    assert trail[0]["before"]["fields"]["document_number"]["value"] == "12/GP-SYT"
    assert trail[0]["after"]["fields"]["document_number"]["value"] == "99/GCN-SYT"
    # listing: filters and the queue order
    svc.upload(png_bytes(5))
    lst = c.get("/v1/documents", params={"status": "approved"}, headers=svc.h("system")).json()
    assert [d["id"] for d in lst["items"]] == [doc["id"]] and lst["total"] == 1
    assert c.get("/v1/documents", params={"doc_type": "certificate"}, headers=svc.h("system")).json()["total"] == 1
    assert c.get("/v1/documents", params={"q": "GIẤY PHÉP"}, headers=svc.h("system")).json()["total"] == 2
    assert c.get("/v1/documents", params={"q": "giấy phép"}, headers=svc.h("system")).json()["total"] == 2
    assert c.get("/v1/documents", params={"q": "50%_"}, headers=svc.h("system")).json()["total"] == 0
    paged = c.get("/v1/documents", params={"limit": 1, "offset": 1}, headers=svc.h("system")).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1
    # a correction after approval needs a new approval
    again = c.patch(url, json={"fields": {"phone": {"value": "0905123456"}}}, headers=svc.h("reviewer")).json()
    assert again["status"] == "corrected" and again["review"]["approved_by"] is None


def test_records_report_validity_today(make_service):
    svc = make_service()
    c = svc.client
    ids = []
    for seed, valid_until, holder in ((6, "2999-12-31", "Nguyễn Văn An"), (7, "2001-01-01", "Trần Thị Bình"),
                                      (8, None, "Lê Văn Cường")):
        doc = svc.upload(png_bytes(seed)).json()
        fields = {"holder_name": {"value": holder}, "business_code": {"value": f"010{seed}-001"}}
        if valid_until:
            fields["valid_until"] = {"value": valid_until}
        c.patch(f"/v1/documents/{doc['id']}", json={"fields": fields}, headers=svc.h("reviewer"))
        if seed != 8:
            c.post(f"/v1/documents/{doc['id']}/approve", headers=svc.h("reviewer"))
        ids.append(doc["id"])
    recs = c.get("/v1/records", params={"personal_id": "001087012345"}, headers=svc.h("system")).json()
    by_id = {r["id"]: r for r in recs["items"]}
    assert set(by_id) == set(ids[:2])  # the unapproved one is not a record
    assert by_id[ids[0]]["valid"] is True and by_id[ids[1]]["valid"] is False
    assert by_id[ids[0]]["fields"]["holder_name"] == "Nguyễn Văn An"
    one = c.get("/v1/records", params={"holder_name": "  nguyễn   VĂN an "}, headers=svc.h("system")).json()
    assert [r["id"] for r in one["items"]] == [ids[0]]
    assert c.get("/v1/records", params={"business_code": "0107-001"}, headers=svc.h("system")).json()["total"] == 1
    assert c.get("/v1/records", params={"document_number": "12/GP-SYT"}, headers=svc.h("system")).json()["total"] == 2
    assert_error(c.get("/v1/records", headers=svc.h("system")), 422)


def test_export_loads_as_a_datasets_dataset(make_service, tmp_path):
    import zipfile

    from datasets import load_from_disk

    svc = make_service()
    c = svc.client
    a = svc.upload(png_bytes(9)).json()
    b = svc.upload(png_bytes(10)).json()
    svc.upload(png_bytes(11))  # neither corrected nor approved: not exported
    c.patch(f"/v1/documents/{a['id']}", json={"doc_type": "decision", "fields": {"holder_name": {
        "value": "Phòng khám An Bình", "bbox": [5, 6, 70, 80]}}}, headers=svc.h("reviewer"))
    c.post(f"/v1/documents/{a['id']}/approve", headers=svc.h("reviewer"))
    c.post(f"/v1/documents/{b['id']}/approve", headers=svc.h("reviewer"))
    assert_error(c.get("/v1/export", headers=svc.h("system")), 403)
    r = c.get("/v1/export", headers=svc.h("reviewer"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip", r.text
    zipfile.ZipFile(io.BytesIO(r.content)).extractall(tmp_path / "x")
    ds = load_from_disk(str(tmp_path / "x" / "dataset"))
    assert len(ds) == 2
    assert set(ds.column_names) == {"id", "doc_id", "page", "template", "source", "image", "width", "height",
                                    "doc_type", "lines", "fields"}
    row = next(r for r in ds if r["doc_id"] == a["id"])
    assert row["id"] == f"{a['id']}-p1" and row["page"] == 1 and row["template"] == "review"
    assert row["source"] == "review" and row["doc_type"] == "decision"
    assert row["image"].size == (row["width"], row["height"])
    assert row["lines"][0] == {"text": "SỞ Y TẾ", "bbox": [10, 10, 199, 40], "block": "agency_header"}
    holder = next(f for f in row["fields"] if f["name"] == "holder_name")
    assert holder == {"name": "holder_name", "value": "Phòng khám An Bình", "text": "Phòng khám An Bình",
                      "bbox": [5, 6, 70, 80]}
    later = c.get("/v1/export", params={"since": "2999-01-01"}, headers=svc.h("reviewer"))
    assert later.status_code == 200 and later.headers["x-sohoa-rows"] == "0"
    assert_error(c.get("/v1/export", params={"since": "yesterday"}, headers=svc.h("reviewer")), 422)


def test_health_metrics_openapi(make_service):
    svc = make_service()
    c = svc.client
    assert c.get("/healthz").json() == {"status": "ok"}
    ready = c.get("/readyz").json()
    assert ready["status"] == "ready" and ready["models"]["ocr"] == "fake-1"
    svc.upload(png_bytes(12))
    text = c.get("/metrics").text
    for name in ("sohoa_http_requests_total", "sohoa_http_request_seconds_bucket", "sohoa_pages_processed_total 1.0",
                 "sohoa_queue_depth", 'sohoa_models_info{', 'ocr="fake-1"'):
        assert name in text, name
    spec = c.get("/openapi.json").json()
    assert {"/v1/documents", "/v1/jobs", "/v1/records", "/v1/export", "/v1/documents/{doc_id}/approve"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    upload = spec["paths"]["/v1/documents"]["post"]
    assert upload["responses"]["201"]["content"]["application/json"]["example"]["doc_type"]
    assert c.get("/review").status_code == 200 and "Khóa API" in c.get("/review").text


def test_streamed_body_over_the_cap_is_refused(make_service):
    svc = make_service(limits=Limits(max_bytes=10_000))

    def chunks():
        yield b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
        for _ in range(2000):  # ~2 MB, no Content-Length: the cap must stop it while streaming
            yield b"\x89PNG" + b"0" * 1020
        yield b"\r\n--x--\r\n"

    r = svc.client.post("/v1/documents", content=chunks(),
                        headers={**svc.h("system"), "Content-Type": "multipart/form-data; boundary=x"})
    assert_error(r, 413)


def test_personal_data_never_reaches_the_logs(make_service, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    svc = make_service()
    c = svc.client
    doc = svc.upload(png_bytes(13)).json()  # the fake result carries personal_id 001087012345
    c.patch(f"/v1/documents/{doc['id']}", headers=svc.h("reviewer"), json={"fields": {
        "holder_name": {"value": "Phạm Thị Riêng Tư"}, "date_of_birth": {"value": "1987-05-21"}}})
    c.post(f"/v1/documents/{doc['id']}/approve", headers=svc.h("reviewer"))
    c.get("/v1/records", params={"personal_id": "001087012345", "holder_name": "Phạm Thị Riêng Tư"},
          headers=svc.h("system"))
    c.get("/v1/documents", params={"q": "001087012345"}, headers=svc.h("system"))
    c.patch(f"/v1/documents/{doc['id']}", headers=svc.h("reviewer"),
            json={"fields": {"holder_name": {"value": "Phạm Thị Riêng Tư", "bbox": "001087012345"}}})
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the client
    text = "\n".join(r.getMessage() + " " + str(r.args) for r in server_side)
    assert "sohoa.access" in {r.name for r in caplog.records}  # requests are logged…
    for secret in ("001087012345", "Riêng Tư", "1987-05-21"):
        assert secret not in text  # …without personal data
