"""Service-only settings, in one place. Read from the environment with the prefix ``SOHOA_``.

The pipeline settings (limits, OCR, model zoo) come from :class:`sohoa.models.config.Settings`;
this class adds what only the HTTP service needs.
"""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from sohoa.models.config import Settings


class ServiceSettings(Settings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", env_nested_delimiter="__")

    # Documents with at most this many pages are processed inside the upload request;
    # longer ones are queued as a one-file job and answered 202.
    sync_max_pages: int = 4
    # Worker processes that run the pipeline (each builds one Pipeline). 0 = run the pipeline
    # in a thread of the API process (tests, tiny installs).
    workers: int = 2
    # "module:callable" that returns an object with process_bytes(data, filename); built once
    # per worker process.
    pipeline_factory: str = "sohoa.models.pipeline:Pipeline"
    # Server-side folders that POST /v1/jobs may import from (absolute paths). Empty = none.
    import_dirs: list[Path] = []
    max_job_files: int = 1000
    max_job_bytes: int = 512 * 1024 * 1024  # one POST /v1/jobs request body
    # Browser origins allowed by CORS. Empty = CORS closed (same origin only).
    cors_origins: list[str] = []
    # Create an admin key on first start when the database has none, and print it once.
    bootstrap_admin: bool = True
    # This server is the only one that dispatches jobs from this database: at startup, items
    # left "running" by a crashed predecessor are put back in the queue at once.
    single_dispatcher: bool = True
    # A claimed job item whose lease is older than this is claimable again (other dispatchers).
    lease_s: float = 120.0
    dispatcher_poll_s: float = 0.5

    @property
    def sqlite_path(self) -> Path | None:
        url = self.database_url
        if url.startswith("sqlite:///"):
            return Path(url[len("sqlite:///"):])
        return None
