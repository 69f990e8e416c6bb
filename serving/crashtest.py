"""kill -9 in the middle of a batch job, restart, and check that the job completes with nothing
lost and nothing stored twice.

    python -m sohoa.serving.crashtest [-n 8] [--workers 2] [--kill-after 2]

Starts ``sohoa serve`` on a free loopback port with a fresh SQLite database and storage folder
(or ``--database-url`` for PostgreSQL), submits a job of N distinct real pages, waits until
``--kill-after`` items are done, kills the server with SIGKILL, starts it again on the same
database and storage, and waits for the job. Checks: every item done, ``completions == 1`` for
every item (one stored result each), one document per distinct upload, the job's items
re-claimed after the crash counted in ``attempts``. Prints a JSON report; exit status 1 on failure.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import httpx

from sohoa.serving.samples import source_pages, variant


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    def __init__(self, env: dict, port: int, workers: int):
        exe = Path(sys.executable).parent / "sohoa"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sohoa.serving.cli"]
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(cmd + ["serve", "--port", str(port), "--workers", str(workers)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + "\n".join(self.lines[-30:]))
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server not ready:\n" + "\n".join(self.lines[-30:]))

    def children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            return [int(p) for p in text.split()]
        except OSError:
            return []

    def admin_key(self) -> str:
        for _ in range(50):
            for line in self.lines:
                if "admin key:" in line:
                    return line.split("admin key:")[1].strip()
            time.sleep(0.1)
        raise RuntimeError("no admin key printed")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@click.command()
@click.option("-n", "--files", "n_files", default=8, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--kill-after", default=2, show_default=True, help="items done before the kill")
@click.option("--database-url", default=None, help="default: a fresh SQLite file")
@click.option("--postgres", "pg_admin", default=None,
              help="a PostgreSQL server URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres): "
                   "run on a fresh database there, dropped afterwards")
@click.option("--timeout", default=900, show_default=True)
def main(n_files: int, workers: int, kill_after: int, database_url: str | None, pg_admin: str | None,
         timeout: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-crash-"))
    drop = None
    if pg_admin:
        import uuid

        import psycopg
        name = f"sohoa_crash_{uuid.uuid4().hex[:10]}"
        admin = psycopg.connect(pg_admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        database_url = pg_admin.rsplit("/", 1)[0] + "/" + name

        def drop() -> None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    env = {**os.environ, "SOHOA_DATABASE_URL": database_url or f"sqlite:///{tmp}/sohoa.db",
           "SOHOA_STORAGE_DIR": str(tmp / "store")}
    port = _free_port()
    sources = source_pages()
    files = [variant(sources[i % len(sources)], int(time.time()) % 100000 * 1000 + i) for i in range(n_files)]
    report: dict = {"files": n_files, "workers": workers,
                    "database": database_url.split(":", 1)[0] if database_url else "sqlite"}
    first = ServerProcess(env, port, workers)
    second = None
    try:
        first.wait_ready()
        key = first.admin_key()
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=first.url, headers=h, timeout=300) as api:
            r = api.post("/v1/jobs", files=[("files", (name, data, "application/octet-stream")) for name, data in files])
            r.raise_for_status()
            job_id = r.json()["id"]
            deadline = time.monotonic() + timeout
            while True:
                view = api.get(f"/v1/jobs/{job_id}").json()
                if view["counts"]["done"] >= kill_after or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        workers_before = first.children()
        report["before_kill"] = view["counts"]
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
        time.sleep(3)  # workers notice that their parent died and exit
        orphans = [p for p in workers_before if _alive(p)]
        report["worker_processes_before_kill"] = len(workers_before)
        report["orphan_workers_after_kill"] = len(orphans)
        for pid in orphans:  # ours: started by the server we started
            os.kill(pid, signal.SIGKILL)

        second = ServerProcess(env, port, workers)
        second.wait_ready()
        t_restart = time.monotonic()
        with httpx.Client(base_url=second.url, headers=h, timeout=60) as api:
            while True:
                view = api.get(f"/v1/jobs/{job_id}").json()
                if view["status"] == "completed" or time.monotonic() - t_restart > timeout:
                    break
                time.sleep(0.3)
            docs = api.get("/v1/documents", params={"limit": 500}).json()
        report["after_restart"] = view["counts"]
        report["resume_s"] = round(time.monotonic() - t_restart, 1)
        items = view["items"]
        report["attempts"] = [it["attempts"] for it in items]
        report["completions"] = [it["completions"] for it in items]
        report["reclaimed_items"] = sum(1 for it in items if it["attempts"] > 1)
        report["documents"] = docs["total"]
        report["documents_processed"] = sum(1 for d in docs["items"] if d["status"] == "processed")
        checks = {
            "job_completed": view["status"] == "completed",
            "all_items_done": all(it["state"] == "done" for it in items),
            "each_result_stored_once": all(it["completions"] == 1 for it in items),
            "no_document_lost_or_duplicated": docs["total"] == n_files == report["documents_processed"],
            "killed_mid_job": 0 < report["before_kill"]["done"] < n_files,
        }
        report["checks"] = checks
        report["passed"] = all(checks.values())
    finally:
        for srv in (first, second):
            if srv is not None:
                srv.stop()
        if drop is not None:
            drop()
    click.echo(json.dumps(report, indent=2))
    sys.exit(0 if report.get("passed") else 1)


if __name__ == "__main__":
    main()
