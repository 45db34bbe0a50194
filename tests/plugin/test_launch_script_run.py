"""Run the generated launch script with bash (no grid engine) against a live server, so its
callbacks really go over HTTP with the run's own key."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from launch_support import create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from plugin.services.launch_script import exit_code_path
from rundb.models import JobState

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ENV_DUMP = """
names = ["RESULTS_DIR", "TSP_FILEPATH_PLUGIN_DIR", "DIRNAME", "RUNINFO__PLUGINRESULT", "PLUGINCONFIG__COLOR",
         "RUNINFO__PLUGIN__NAME", "EXPMETA__RUN_NAME", "RUNPLUGIN__RUNLEVEL", "GLOBALCONFIG__MEM_MAX",
         "DATAMANAGEMENT__SIGNAL", "TSP_RUN_NAME", "SECRET_KEY", "ANALYSIS_DIR"]
info = {n: os.environ.get(n) for n in names}
info["cwd"] = os.getcwd()
info["umask"] = os.umask(0)
import resource
info["core"] = resource.getrlimit(resource.RLIMIT_CORE)[0]
info["argv"] = sys.argv[1:]
with open("env.json", "w") as fh:
    json.dump(info, fh)
with open("Foo_block.html", "w") as fh:
    fh.write("<p>hello</p>")
self.results = {"reads": 42, "color": self.startplugin["pluginconfig"]["color"]}
print("plugin says hi")
return True
"""


@pytest.fixture
def live(live_server, settings, fast_hasher):
    settings.ION_NET_LOCATION = live_server.url
    get_user_model().objects.create_user("runner", password="pw")
    return live_server


def _launch(zip_path, **kwargs):
    plugin = install(zip_path)
    result = create_report()
    user = get_user_model().objects.get(username="runner")
    pr = launch_plugin(result, plugin, user=user, **kwargs)
    return pr, pr.launched_jobs[0]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead; it only waits for its (now gone) parent to be reaped by init.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _run(job, *, env=None, timeout=60):
    env = {"PATH": os.environ["PATH"], "SECRET_KEY": "must-not-leak", **(env or {})}
    return subprocess.run(["bash", job.script_path], env=env, capture_output=True, text=True, timeout=timeout)


def test_success_reports_started_then_completed_and_stores_results(live, zips):
    pr, job = _launch(zips("Foo", ENV_DUMP), pluginconfig={"color": "red"})
    proc = _run(job)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED
    assert job.starttime is not None and job.endtime is not None and job.starttime <= job.endtime
    pr.refresh_from_db()
    assert pr.store == {"reads": 42, "color": "red"}
    folder = Path(job.work_dir)
    log = (folder / "drmaa_stdout.txt").read_text()
    assert "plugin says hi" in log and "pluginelapsedtime: Foo," in log
    assert exit_code_path(job).read_text() == "0\n"
    env = json.loads((folder / "env.json").read_text())
    assert env["cwd"] == str(folder) == env["RESULTS_DIR"] == env["TSP_FILEPATH_PLUGIN_DIR"]
    assert env["DIRNAME"] == pr.plugin.path
    assert env["RUNINFO__PLUGINRESULT"] == str(pr.pk)
    assert env["PLUGINCONFIG__COLOR"] == "red"
    assert env["RUNINFO__PLUGIN__NAME"] == "Foo" and env["RUNPLUGIN__RUNLEVEL"] == "default"
    assert env["GLOBALCONFIG__MEM_MAX"] == "15G" and env["DATAMANAGEMENT__SIGNAL"] in ("true", "false")
    assert env["TSP_RUN_NAME"] == env["EXPMETA__RUN_NAME"] != ""
    assert env["umask"] == 0 and env["core"] == 0
    assert env["argv"] == ["-vv"]
    assert env["SECRET_KEY"] is None


def test_exception_in_launch_is_error_with_traceback(live, zips):
    pr, job = _launch(zips("Foo", 'raise RuntimeError("boom in launch")'))
    proc = _run(job)
    assert proc.returncode != 0
    job.refresh_from_db()
    assert job.state == JobState.ERROR and job.endtime is not None
    log = (Path(job.work_dir) / "drmaa_stdout.txt").read_text()
    assert "Traceback (most recent call last)" in log and "RuntimeError: boom in launch" in log
    assert int(exit_code_path(job).read_text()) == proc.returncode


def test_launch_returning_false_is_error(live, zips):
    _pr, job = _launch(zips("Foo", "return False"))
    assert _run(job).returncode != 0
    job.refresh_from_db()
    assert job.state == JobState.ERROR


def test_results_json_written_by_plugin_is_stored_even_on_error(live, zips):
    body = 'open("results.json", "w").write(json.dumps({"partial": True}))\nsys.exit(3)'
    pr, job = _launch(zips("Foo", body))
    assert _run(job).returncode == 3
    job.refresh_from_db()
    pr.refresh_from_db()
    assert job.state == JobState.ERROR and pr.store == {"partial": True}


def test_legacy_launch_sh_plugin_runs(live, zips):
    launch_sh = '#!/bin/bash\nVERSION="1.0.0.0"\necho "legacy $PLUGINCONFIG__COLOR in $(pwd)" > Legacy_block.html\n'
    pr, job = _launch(zips("Legacy", py=False, files={"launch.sh": launch_sh}), pluginconfig={"color": "blue"})
    assert _run(job).returncode == 0
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED
    assert (Path(job.work_dir) / "Legacy_block.html").read_text().strip() == f"legacy blue in {job.work_dir}"


def test_legacy_failing_command_is_error(live, zips):
    launch_sh = '#!/bin/bash\nVERSION="1.0.0.0"\nfalse\necho "not reached" > after.txt\n'
    _pr, job = _launch(zips("Legacy", py=False, files={"launch.sh": launch_sh}))
    assert _run(job).returncode != 0
    job.refresh_from_db()
    assert job.state == JobState.ERROR
    assert not (Path(job.work_dir) / "after.txt").exists()


@pytest.mark.parametrize("sig,code,state", [
    (signal.SIGTERM, 143, JobState.CANCELLED),
    (signal.SIGUSR1, 124, JobState.TIMED_OUT),
    (signal.SIGINT, 130, JobState.ERROR),
])
def test_signal_stops_the_plugin_and_records_state(live, zips, sig, code, state):
    body = 'open("running", "w").write(str(os.getpid()))\nimport time\ntime.sleep(60)\nopen("not_reached", "w").close()'
    _pr, job = _launch(zips("Foo", body))
    env = {"PATH": os.environ["PATH"]}
    proc = subprocess.Popen(["bash", job.script_path], env=env, start_new_session=True)
    folder = Path(job.work_dir)
    deadline = time.monotonic() + 30
    while not ((folder / "running").exists() and (folder / "running").read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == code
    job.refresh_from_db()
    assert job.state == state
    assert exit_code_path(job).read_text() == f"{code}\n"
    plugin_pid = int((folder / "running").read_text())
    deadline = time.monotonic() + 10
    while _alive(plugin_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(plugin_pid), "the plugin process must be stopped too"
    assert not (folder / "not_reached").exists()
    assert "pluginelapsedtime" in (folder / "drmaa_stdout.txt").read_text()


def test_started_callback_seen_while_running(live, zips):
    body = 'import time\nopen("running", "w").close()\nwhile not os.path.exists("go"):\n    time.sleep(0.05)'
    _pr, job = _launch(zips("Foo", body))
    proc = subprocess.Popen(["bash", job.script_path], env={"PATH": os.environ["PATH"]})
    folder = Path(job.work_dir)
    deadline = time.monotonic() + 30
    while not (folder / "running").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    job.refresh_from_db()
    assert job.state == JobState.STARTED and job.starttime is not None
    (folder / "go").touch()
    assert proc.wait(timeout=30) == 0
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED
