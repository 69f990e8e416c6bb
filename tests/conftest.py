"""Shared fixtures: a rendered Decree 30 letter with known values, and the real evaluation scans."""
from __future__ import annotations

from pathlib import Path

import pytest

from sohoa_testkit import REAL_DIR, render_letter


@pytest.fixture(scope="session")
def letter_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fixtures") / "letter.png"
    render_letter().save(path, dpi=(150, 150))
    return path


@pytest.fixture(scope="session")
def letter_bytes(letter_png) -> bytes:
    return letter_png.read_bytes()


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL_DIR.is_dir():
        pytest.fail(f"the evaluation scans are expected at {REAL_DIR} (shared/ beside the checkout)")
    return REAL_DIR


@pytest.fixture(scope="session")
def pipeline():
    from sohoa.models.pipeline import Pipeline

    return Pipeline()
