"""Content-addressed files under ``SOHOA_STORAGE_DIR``: originals and rendered page images.

    originals/ab/abcdef…            the uploaded bytes, named by their sha256
    pages/ab/abcdef…/1.png          page 1 as rendered by the pipeline (result coordinates)
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO


class TooLarge(Exception):
    pass


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "originals").mkdir(parents=True, exist_ok=True)
        (self.root / "pages").mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def original_path(self, sha256: str) -> Path:
        _check_sha(sha256)
        return self.root / "originals" / sha256[:2] / sha256

    def page_path(self, sha256: str, number: int) -> Path:
        _check_sha(sha256)
        return self.root / "pages" / sha256[:2] / sha256 / f"{int(number)}.png"

    def has_original(self, sha256: str) -> bool:
        return self.original_path(sha256).is_file()

    def read_original(self, sha256: str) -> bytes:
        return self.original_path(sha256).read_bytes()

    def put_stream(self, stream: BinaryIO, max_bytes: int, chunk: int = 1 << 20) -> tuple[str, int]:
        """Copy a stream into the store, stopping at ``max_bytes``; returns (sha256, size)."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    block = stream.read(chunk)
                    if not block:
                        break
                    size += len(block)
                    if size > max_bytes:
                        raise TooLarge(f"file too large: more than {max_bytes} bytes")
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            self._install(Path(tmp), self.original_path(sha))
            return sha, size
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.original_path(sha)
        if not target.is_file():
            fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            self._install(Path(tmp), target)
        return sha

    def put_page_png(self, sha256: str, number: int, png: bytes) -> Path:
        target = self.page_path(sha256, number)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(png)
        os.replace(tmp, target)
        return target

    def drop_pages(self, sha256: str) -> None:
        shutil.rmtree(self.page_path(sha256, 1).parent, ignore_errors=True)

    @staticmethod
    def _install(tmp: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file():
            tmp.unlink(missing_ok=True)
        else:
            os.replace(tmp, target)


def _check_sha(sha256: str) -> None:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
