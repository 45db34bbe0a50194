"""sge/setup_gridengine.sh on a machine where it has already run (CI runs it first)."""
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.sge
SCRIPT = Path(__file__).resolve().parents[2] / "sge" / "setup_gridengine.sh"


def run(*args):
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_print_env_gives_eval_able_exports(sge_available):
    res = run("--print-env")
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    assert all(line.startswith("export ") for line in lines)
    keys = {line[7:].split("=")[0] for line in lines}
    assert {"SGE_ROOT", "SGE_CELL", "DRMAA_LIBRARY_PATH", "ION_SGE_QUEUE"} <= keys


def test_status_reports_a_working_cluster(sge_available):
    assert run("--status").returncode == 0


def test_second_run_is_quick_and_changes_nothing(sge_available):
    if os.geteuid() != 0:
        pytest.skip("setup needs root")
    res = run()
    assert res.returncode == 0, res.stderr
    assert "already running" in res.stderr
    assert "export SGE_ROOT=" in res.stdout


def test_unknown_option_is_rejected():
    res = run("--frobnicate")
    assert res.returncode != 0 and "unknown option" in res.stderr
