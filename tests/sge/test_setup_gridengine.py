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


def test_plugin_queue_is_exported_and_exists(sge_available):
    res = run("--print-env")
    exports = dict(line[7:].split("=", 1) for line in res.stdout.splitlines())
    queue = exports["ION_SGE_PLUGIN_QUEUE"]
    assert queue == os.environ.get("ION_SGE_PLUGIN_QUEUE", "plugin.q")
    shown = subprocess.run(["qconf", "-sq", queue], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    attrs = dict(line.split(None, 1) for line in shown.stdout.splitlines() if line.strip())
    assert int(attrs["slots"].strip()) >= 32
    assert attrs["priority"].strip() == "10"


def test_jobs_start_the_shepherd_binary_not_the_debian_wrapper(sge_available):
    # Debian's sge_shepherd wrapper runs util/arch (cpp, ldd, ...) twice per job.
    conf = subprocess.run(["qconf", "-sconf"], capture_output=True, text=True, timeout=30).stdout
    value = next(line.split()[1] for line in conf.splitlines() if line.startswith("shepherd_cmd"))
    if value != "none":
        assert Path(value).is_file()
        assert not Path(value).read_bytes().startswith(b"#!")


def test_execd_soft_descriptor_limit_is_small(sge_available):
    # Every job start closes each possible descriptor twice (execd child, shepherd).
    pid = subprocess.run(["pgrep", "-x", "sge_execd"], capture_output=True, text=True).stdout.split()
    if not pid:
        pytest.skip("sge_execd not visible from here")
    limits = Path(f"/proc/{pid[0]}/limits").read_text()
    soft = next(line.split()[3] for line in limits.splitlines() if line.startswith("Max open files"))
    assert soft != "unlimited" and int(soft) <= 4096
