"""An install interrupted by a killed server leaves no plugin child process and no scratch files
after the next start of the web server or the job service (plugin/services/scratch.py); a live
install is never disturbed; a timed-out child is killed with everything it started."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import make_plugin_zip
from plugin.services import scratch
from plugin.services.child import ChildTimeout, run_child

ROOT = Path(__file__).resolve().parents[2]
HANGING = "import time as _t\n_t.sleep(600)  # --inspect never answers"

INSTALL = textwrap.dedent("""
    import sys, django
    django.setup()
    from plugin.services.install import install_from_zip
    install_from_zip(sys.argv[1])
""")


def _env():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="iondb.settings",
               ION_RESULTS_ROOT=str(settings.ION_RESULTS_ROOT), ION_PLUGIN_ROOT=str(settings.ION_PLUGIN_ROOT))
    return env


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(check, timeout=60, what=""):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _children():
    return scratch._marked_processes(scratch.marker_value())


def _temp_entries():
    folder = Path(settings.ION_PLUGIN_ROOT) / "scratch"
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(scratch.TEMP_PREFIXES)) if folder.exists() else []


@pytest.fixture
def hanging_install(tmp_path):
    """An install subprocess stuck in the plugin's --inspect; yields (process, child pids)."""
    zip_path = make_plugin_zip(tmp_path / "zips", "Hangs", attrs=HANGING)
    proc = subprocess.Popen([sys.executable, "-c", INSTALL, str(zip_path)], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: _children() and _temp_entries(), what="the inspect child of the install")
        yield proc, _children()
    finally:
        proc.kill()
        proc.wait()
        for pid in _children():
            scratch._kill(pid)


def _start(what, tmp_path):
    """A fresh process starting like the web server (runserver and gunicorn import iondb.wsgi)
    or the job service (one pass on the local backend, against the test database)."""
    if what == "web":
        cmd, env = [sys.executable, "-c", "import iondb.wsgi"], _env()
    else:
        from grid_support import db_url
        cmd = [sys.executable, "manage.py", "jobservice", "--backend", "local", "--once"]
        env = dict(_env(), DATABASE_URL=db_url(), ION_JOB_STATE_DIR=str(tmp_path / "jobstate"))
        env.pop("DATABASE_TEST_NAME", None)
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("starter", ["web", "jobservice"])
def test_next_start_kills_the_orphaned_child_and_removes_scratch(hanging_install, starter, tmp_path):
    proc, children = hanging_install
    (Path(settings.ION_PLUGIN_ROOT) / "scratch" / "kept.zip").write_bytes(b"uploaded by the UI")
    proc.send_signal(signal.SIGKILL)  # the server dies in the middle of the install
    proc.wait()
    assert all(_alive(pid) for pid in children)  # its child lives on, in a session of its own
    assert any(name.startswith(".unzip-") for name in _temp_entries())
    _start(starter, tmp_path)
    _wait(lambda: not any(_alive(pid) for pid in children), timeout=10, what="the orphan to die")
    assert _temp_entries() == []
    assert (Path(settings.ION_PLUGIN_ROOT) / "scratch" / "kept.zip").exists()  # not ours to remove


@pytest.mark.django_db
def test_a_start_during_a_live_install_leaves_it_alone(hanging_install, tmp_path):
    proc, children = hanging_install
    before = _temp_entries()
    _start("web", tmp_path)  # e.g. a gunicorn worker recycled while another one installs
    assert proc.poll() is None
    assert all(_alive(pid) for pid in children)
    assert _temp_entries() == before


def test_stale_upload_is_removed_only_after_its_grace(settings, tmp_path):
    folder = Path(settings.ION_PLUGIN_ROOT) / "scratch"
    folder.mkdir(parents=True)
    fresh, old = folder / ".upload-fresh.zip", folder / ".upload-old.zip"
    fresh.write_bytes(b"x")
    old.write_bytes(b"x")
    t = time.time() - scratch.UPLOAD_GRACE - 5
    os.utime(old, (t, t))
    result = scratch.clean_stale_scratch()
    assert result["removed"] == [old] and fresh.exists() and not old.exists()


def test_timed_out_child_is_killed_with_what_it_started(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    runner = tmp_path / "runner.py"
    # The runner leaves a grandchild holding its stdout, then hangs itself.
    runner.write_text(textwrap.dedent(f"""
        import subprocess, time
        p = subprocess.Popen(["sleep", "600"])
        open({str(pidfile)!r}, "w").write(str(p.pid))
        time.sleep(600)
    """))
    with pytest.raises(ChildTimeout):
        run_child(runner, {}, cwd=str(tmp_path), timeout=3)
    grandchild = int(pidfile.read_text())
    _wait(lambda: not _alive(grandchild), timeout=10, what="the grandchild to die")
