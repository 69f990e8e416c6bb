"""Fixtures of the service tests: the real app over SQLite and over PostgreSQL.

PostgreSQL: a fresh database per test run on ``SOHOA_TEST_PG`` (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, trust auth), dropped afterwards. Skipped
only when the server cannot be reached.
"""
from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # fake_pipeline, importable by spawned worker processes too

PG_ADMIN_URL = os.environ.get("SOHOA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_server():
    try:
        import psycopg
        conn = psycopg.connect(_pg_dsn(PG_ADMIN_URL), autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        # the service's tests run against a real PostgreSQL (this machine's and CI's run one)
        pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    yield conn
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/sohoa.db"
        return
    admin = request.getfixturevalue("pg_server")
    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Service:
    """A running app (lifespan entered) with one key per role."""

    def __init__(self, app, client, keys):
        self.app, self.client, self.keys = app, client, keys

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    @property
    def sessions(self):
        return self.app.state.services.sessions

    def upload(self, data: bytes, name: str = "scan.png", role: str = "system", **params):
        return self.client.post("/v1/documents", params=params, headers=self.h(role),
                                files={"file": (name, data, "application/octet-stream")})

    def wait_job(self, job_id: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            body = self.client.get(f"/v1/jobs/{job_id}", headers=self.h("system")).json()
            if body["status"] == "completed" or time.monotonic() > deadline:
                return body
            time.sleep(0.05)


@pytest.fixture
def make_service(tmp_path, database_url):
    from fastapi.testclient import TestClient

    from sohoa.serving.api import create_app
    from sohoa.serving.security import create_key
    from sohoa.serving.settings import ServiceSettings
    from fake_pipeline import FakePipeline

    opened = []

    def make(pipeline=None, **overrides) -> Service:
        options = {"workers": 0, "dispatcher_poll_s": 0.05, **overrides}
        settings = ServiceSettings(database_url=database_url, storage_dir=tmp_path / "store", **options)
        if pipeline is None and settings.workers == 0:
            pipeline = FakePipeline(settings)
        app = create_app(settings, pipeline=pipeline)
        keys = {}
        with app.state.services.sessions() as session:
            for role in ("system", "reviewer", "admin"):
                keys[role] = create_key(session, role, f"test-{role}")[1]
            session.commit()
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "service never became ready"
            time.sleep(0.05)
        return Service(app, client, keys)

    yield make
    for client in opened:
        client.__exit__(None, None, None)
