"""The data scientists' notebook runs top to bottom on a tiny generated set."""
from __future__ import annotations

import os
from pathlib import Path


NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "train_and_inspect.ipynb"


def test_notebook_runs(tmp_path, monkeypatch):
    import nbclient
    import nbformat
    monkeypatch.setenv("SOHOA_NB_WORK", str(tmp_path))
    monkeypatch.setenv("SOHOA_NB_STEPS", "6")
    monkeypatch.setenv("SOHOA_NB_DATA", os.environ.get("SOHOA_NB_TEST_DATA", ""))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "rules" in outputs and "model" in outputs  # the evaluation table printed
