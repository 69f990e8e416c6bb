"""One upload through the real Pipeline (Tesseract), in-process: the contract shape end to end."""
from __future__ import annotations

import io

import pytest
from svc_helpers import sample

from sohoa.models.document import DocumentResult


@pytest.fixture(scope="module")
def real_pipeline():
    from sohoa.models.pipeline import Pipeline

    return Pipeline()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # once is enough
def test_real_upload_matches_the_contract(make_service, real_pipeline):
    svc = make_service(pipeline=real_pipeline)
    r = svc.upload(sample(), "danang-sgddt-2020-p1.jpg")
    assert r.status_code == 201, r.text
    body = r.json()
    contract = {k: v for k, v in body.items() if k not in ("status", "review", "error")}
    result = DocumentResult.model_validate(contract)
    assert result.pages and result.text and result.doc_type.label
    assert set(result.models) >= {"ocr"}
    png = svc.client.get(f"/v1/documents/{body['id']}/pages/1.png?boxes=true", headers=svc.h("reviewer"))
    assert png.status_code == 200
    from PIL import Image
    img = Image.open(io.BytesIO(png.content))
    assert img.size == (result.pages[0].width, result.pages[0].height)
    again = svc.upload(sample(), "copy.jpg")  # idempotent: no second pipeline run
    assert again.status_code == 200 and again.json()["id"] == body["id"]
