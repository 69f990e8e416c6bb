"""A real server (``sohoa serve``, real Pipeline in a worker process) on a free loopback port."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sohoa_cmd() -> list[str]:
    exe = VENV_BIN / "sohoa"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sohoa.serving.cli"]


class Server:
    def __init__(self, tmp: Path, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SOHOA_DATABASE_URL": f"sqlite:///{tmp}/sohoa.db",
                    "SOHOA_STORAGE_DIR": str(tmp / "store")}
        self.lines: list[str] = []
        self.proc = subprocess.Popen(sohoa_cmd() + ["serve", "--port", str(self.port), "--workers", str(workers)],
                                     env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 120
        while True:
            assert self.proc.poll() is None, "server exited:\n" + "\n".join(self.lines)
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server not ready:\n" + "\n".join(self.lines)
            time.sleep(0.3)

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def admin_key(self) -> str:
        line = next(l for l in self.lines if "admin key:" in l)
        return line.split("admin key:")[1].strip()

    def create_key(self, role: str, name: str) -> str:
        out = subprocess.run(sohoa_cmd() + ["keys", "create", "--role", role, "--name", name], env=self.env,
                             check=True, capture_output=True, text=True).stdout
        return out.strip().splitlines()[-1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path)
    yield srv
    srv.stop()
