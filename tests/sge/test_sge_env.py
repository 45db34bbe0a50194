"""sge.env: the environment for DRMAA, including the libjemalloc preload."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sge import env as sge_env

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "DRMAA_LIBRARY_PATH", "SGE_ROOT", "SGE_CELL", "ION_SGE_QUEUE",
                        sge_env.REEXEC_MARKER)}
    env.update(extra)
    return env


def _python(code):
    """stdout of `python -c code` run fresh, without the SGE/preload environment of this process."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=_clean_env(), check=True).stdout


def test_export_lines_fill_defaults_and_keep_values():
    lines = sge_env.export_lines({"SGE_CELL": "iontorrent"})
    assert "export SGE_ROOT=/var/lib/gridengine" in lines
    assert "export SGE_CELL=iontorrent" in lines
    assert "export ION_SGE_QUEUE=all.q" in lines


def test_preload_value_adds_jemalloc_once():
    jm = sge_env.jemalloc_path()
    if jm is None:
        assert sge_env.preload_value({}) is None
        return
    assert sge_env.preload_value({}) == jm
    assert sge_env.preload_value({"LD_PRELOAD": "/x.so"}) == f"{jm}:/x.so"
    assert sge_env.preload_value({"LD_PRELOAD": f"/x.so:{jm}"}) is None


def test_exec_runs_command_with_sge_environment():
    out = subprocess.run([sys.executable, "-m", "sge.env", "exec", "--", "sh", "-c",
                          'echo "$SGE_ROOT|$SGE_CELL|$ION_SGE_QUEUE"'],
                         capture_output=True, text=True, cwd=ROOT, env=_clean_env(), check=True).stdout
    assert out.strip() == "/var/lib/gridengine|default|all.q"


def test_exec_without_command_is_a_usage_error():
    res = subprocess.run([sys.executable, "-m", "sge.env", "exec"], capture_output=True, text=True,
                         cwd=ROOT, env=_clean_env())
    assert res.returncode == 2 and "usage" in res.stderr


needs_lib = pytest.mark.skipif(sge_env.drmaa_library_path() is None or sge_env.jemalloc_path() is None,
                               reason="libdrmaa/libjemalloc not installed")


@needs_lib
def test_reexec_sets_preload_so_drmaa_imports():
    code = ("from sge.env import reexec_with_drmaa_preload, import_drmaa\n"
            "reexec_with_drmaa_preload()\n"
            "import os; d = import_drmaa(); print('ok', os.environ['LD_PRELOAD'])\n")
    out = _python(code)
    assert out.strip() == f"ok {sge_env.jemalloc_path()}"


@needs_lib
def test_import_without_preload_explains_the_fix():
    code = ("from sge.env import import_drmaa, DrmaaUnavailable\n"
            "try:\n    import_drmaa(); print('imported')\n"
            "except DrmaaUnavailable as e:\n    print(e)\n")
    out = _python(code)
    # Either this libc has room for jemalloc's TLS, or the message says what to do.
    assert out.strip() == "imported" or "LD_PRELOAD=" in out
