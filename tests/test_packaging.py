"""Packaging guards: subpackages are listed by hand in pyproject (they map onto the top-level
folders under the ``sohoa.`` prefix), so a forgotten one would only break a wheel install."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for package, folder in config["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]))
    assert found - listed == set(), f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"


def test_serving_and_pipeline_do_not_import_torch():
    import subprocess
    import sys
    code = ("import sys, sohoa.models.pipeline, sohoa.serving.cli, sohoa.serving.process_cli; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
