"""Shared fixtures for the plugin SDK, archive and inspect tests."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK_PATH = ROOT / "plugin" / "sdk"
DATA_DIR = Path(__file__).resolve().parent / "data"

# In-process SDK tests import `ion.plugin` like a plugin would.
if str(SDK_PATH) not in sys.path:
    sys.path.insert(0, str(SDK_PATH))


def plugin_source(name, body="", *, version="1.0.0.0", header="", footer=None, doc="Test plugin."):
    """Source of a one-class plugin file; `body` is indented into the class."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") if body.strip() else ""
    footer = "if __name__ == '__main__':\n    PluginCLI()\n" if footer is None else footer
    return (
        "import os, sys, json\n"
        "from ion.plugin import *\n"
        f"{textwrap.dedent(header)}\n\n"
        f"class {name}(IonPlugin):\n"
        f"    {doc!r}\n"
        f"    version = {version!r}\n"
        f"{body}\n\n"
        f"{footer}"
    )


def write_plugin(parent, name, body="", *, class_name=None, extra_files=None, **kwargs):
    """Create `<parent>/<name>/<name>.py` defining class `class_name` (default: name)."""
    folder = Path(parent) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(plugin_source(class_name or name, body, **kwargs))
    for rel, content in (extra_files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(content)
    return folder


def sdk_env(extra=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(SDK_PATH),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    env.update(extra or {})
    return env


def run_plugin(script, *args, cwd, env=None, timeout=60):
    """Run a plugin file the way the launch wrapper does (python <script> ...)."""
    return subprocess.run(
        [sys.executable, "-B", str(script), *args],
        cwd=str(cwd), env=sdk_env(env), capture_output=True, text=True, timeout=timeout,
    )


def write_startplugin(results_dir, plugin_dir, *, raw_data_dir=None, pluginconfig=None, api_url="http://127.0.0.1:1/rundb/api"):
    """A small but well-formed startplugin.json (see the SDK manual) in `results_dir`."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    plugin_dir = Path(plugin_dir)
    data = {
        "runinfo": {
            "results_dir": str(results_dir),
            "raw_data_dir": str(raw_data_dir or results_dir),
            "analysis_dir": str(results_dir.parent),
            "report_root_dir": str(results_dir.parent),
            "api_url": api_url,
            "net_location": api_url.rsplit("/rundb/api", 1)[0],
            "api_key": "k" * 40,
            "pluginresult": 7,
            "pk": 3,
            "plugin_dir": str(plugin_dir),
            "plugin_name": plugin_dir.name,
            "plugin": {
                "name": plugin_dir.name,
                "path": str(plugin_dir),
                "version": "1.0.0.0",
                "pluginconfig": {"scope": "global"},
                "pluginresult": 7,
            },
        },
        "runplugin": {"run_type": "wholechip", "runlevel": "default", "run_mode": "manual", "blockId": ""},
        "pluginconfig": pluginconfig if pluginconfig is not None else {"scope": "effective"},
        "globalconfig": {"debug": 0, "MEM_MAX": "15G"},
    }
    (results_dir / "startplugin.json").write_text(json.dumps(data, indent=2))
    return data


SAMPLE_BARCODES = {
    "IonXpress_002": {"barcode_index": 2, "barcode_name": "IonXpress_002", "bam_file": "IonXpress_002_rawlib.bam",
                      "aligned": True, "sample": "S2", "read_count": 5},
    "IonXpress_001": {"barcode_index": 1, "barcode_name": "IonXpress_001", "bam_file": "IonXpress_001_rawlib.bam",
                      "aligned": True, "sample": "S1", "read_count": 20},
}


def write_barcodes(results_dir, barcodes=None):
    path = Path(results_dir) / "barcodes.json"
    path.write_text(json.dumps(SAMPLE_BARCODES if barcodes is None else barcodes, indent=2))
    return path


def make_zip(path, entries):
    """entries: list of (ZipInfo-or-name, bytes-or-str)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def snapshot(root, exclude=()):
    """Relative paths (and sizes) of everything under root, skipping excluded top-level names."""
    root = Path(root)
    seen = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts and rel_dir.parts[0] in exclude:
            continue
        dirnames[:] = [d for d in dirnames if rel_dir.parts or d not in exclude]
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if not rel_dir.parts and name in exclude:
                continue
            seen[str(rel_dir / name)] = p.lstat().st_size if p.is_file() else None
    return seen


@pytest.fixture
def data_dir():
    return DATA_DIR


@pytest.fixture
def copy_example(tmp_path):
    """Copy an example plugin from tests/plugin/data into tmp_path/plugins/."""
    def _copy(name):
        dest = tmp_path / "plugins" / name
        shutil.copytree(DATA_DIR / name, dest)
        return dest
    return _copy


@pytest.fixture
def workspace(tmp_path):
    """tmp_path with scratch/ (upload + unpack area) and an unrelated sibling to watch."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "keep.txt").write_text("untouched")
    return tmp_path


@pytest.fixture
def helpers():
    """The helper functions above, for tests (importing conftest directly is fragile)."""
    import types
    return types.SimpleNamespace(
        SDK_PATH=SDK_PATH, DATA_DIR=DATA_DIR, SAMPLE_BARCODES=SAMPLE_BARCODES,
        plugin_source=plugin_source, write_plugin=write_plugin, run_plugin=run_plugin, sdk_env=sdk_env,
        write_startplugin=write_startplugin, write_barcodes=write_barcodes, make_zip=make_zip,
        snapshot=snapshot,
    )
