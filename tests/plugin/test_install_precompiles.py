"""Installed plugins and the SDK are byte-compiled up front, so plugin jobs do not compile
them again at every start (PYTHONDONTWRITEBYTECODE, or a folder the job cannot write)."""
import importlib.util
from pathlib import Path

import pytest

from launch_support import install, zips  # noqa: F401
from plugin import precompile

pytestmark = pytest.mark.django_db


def cached(path: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(path)))


def test_install_writes_bytecode_for_the_plugin(zips):
    plugin = install(zips("Compiled", files={"helpers.py": "VALUE = 1\n"}))
    folder = Path(plugin.path)
    assert cached(folder / "Compiled.py").is_file()
    assert cached(folder / "helpers.py").is_file()


def test_precompile_never_runs_code_and_skips_broken_files(tmp_path):
    (tmp_path / "boom.py").write_text("raise SystemExit('ran')\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    precompile(tmp_path)
    assert cached(tmp_path / "boom.py").is_file()
    assert not cached(tmp_path / "broken.py").exists()


def test_sdk_is_compiled():
    from plugin import SDK_PATH
    precompile()
    assert cached(SDK_PATH / "ion" / "plugin" / "base.py").is_file()
