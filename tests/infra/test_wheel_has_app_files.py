"""A non-editable install (pip install ., the container image) carries every file the apps
read at run time: the catalog tables, templates, static files, the plugin SDK and the Grid
Engine set-up script (pyproject.toml [tool.setuptools.package-data])."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _on_disk(prefix):
    """Files (not Python modules, which setuptools finds itself) under ``prefix`` of the checkout."""
    root = ROOT / prefix
    paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
    return {p.relative_to(ROOT).as_posix() for p in paths
            if p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


@pytest.mark.slow
def test_wheel_contains_every_run_time_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = set()
    for prefix in ("rundb/catalog/data/", "browser/templates/", "browser/static/", "plugin/templates/",
                   "plugin/sdk/", "sge/setup_gridengine.sh"):
        needed |= _on_disk(prefix)
    assert needed, "no run-time files found in the checkout"
    assert sorted(needed - names) == []
    assert not [n for n in names if "__pycache__" in n]
