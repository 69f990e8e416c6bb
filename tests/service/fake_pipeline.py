"""A test double of the pipeline for fast unit tests of the service (never for e2e tests):
a deterministic result from the image size, with the fields a test asks for in the file name."""
from __future__ import annotations

import hashlib
import os
import time

from sohoa.models.config import get_settings
from sohoa.models.document import Block, DocType, DocumentResult, Field, Line, Page, Source
from sohoa.models.loading import load_pages

CALLS_FILE = None  # tests may set a path: each process_bytes call appends the sha256 there


class FakePipeline:
    model_versions = {"ocr": "fake-1", "classifier": "fake-1", "extractor": "fake-1"}

    def __init__(self, settings=None, delay_s: float = 0.0):
        self.settings = settings or get_settings()
        self.delay_s = delay_s

    def process_bytes(self, data: bytes, filename: str) -> DocumentResult:
        if filename.startswith("crash-worker"):  # a native crash of the worker process
            os._exit(3)
        pages = load_pages(data, filename, self.settings.limits, self.settings.pdf_dpi)
        sha = hashlib.sha256(data).hexdigest()
        calls = os.environ.get("SOHOA_FAKE_CALLS")
        if calls:
            with open(calls, "a") as fh:
                fh.write(sha + "\n")
        delay = float(os.environ.get("SOHOA_FAKE_DELAY", self.delay_s))
        if delay:
            time.sleep(delay)
        out_pages = []
        for p in pages:
            h, w = p.image.shape[:2]
            line = Line(text="SỞ Y TẾ", bbox=(10, 10, min(w - 1, 200), 40), confidence=0.9)
            out_pages.append(Page(number=p.number, width=w, height=h, dpi=p.dpi, rotation=0,
                                  blocks=[Block(type="agency_header", bbox=line.bbox, lines=[line])]))
        fields = {"document_number": Field(value="12/GP-SYT", text="Số: 12/GP-SYT", confidence=0.6, page=1,
                                           bbox=(20, 50, 150, 80)),
                  "personal_id": Field(value="001087012345", text="001087012345", confidence=0.8, page=1,
                                       bbox=(20, 90, 150, 120))}
        return DocumentResult(id="", source=Source(filename=filename, sha256=sha, pages=len(pages)),
                              doc_type=DocType(label="license", confidence=0.7, scores={"license": 0.7}),
                              fields=fields, pages=out_pages, text="SỞ Y TẾ\nGIẤY PHÉP", models=self.model_versions,
                              timings_ms={"total": 1.0})
