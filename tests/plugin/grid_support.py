"""End-to-end plugin jobs: a real install, a real launch, the job service as a separate
process (`manage.py jobservice`) on the real Grid Engine (or the local backend), and a live
HTTP server so the launch script's REST callbacks really happen.

The service process shares the test database, so these tests use PostgreSQL and
`transaction=True`; outside CI they skip when the database is SQLite or Grid Engine is
missing, in CI they fail instead.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

from sgeutil import in_ci, require_sge, wait_until  # noqa: E402

from launch_support import create_report, install, make_plugin_zip  # noqa: E402

# The test plugin: writes what it sees to seen.json, then behaves as pluginconfig says.
GRID_PLUGIN_BODY = r'''
import time
cfg = self.startplugin.get("pluginconfig") or {}
seen = {
    "cwd": os.getcwd(),
    "umask": oct(os.umask(0)),
    "nice": os.nice(0),
    "env": {k: v for k, v in os.environ.items()
            if k.startswith(("RESULTS_DIR", "TSP_", "RUNINFO__", "PLUGINCONFIG__", "DIRNAME", "JOB_", "QUEUE"))},
}
with open("seen.json", "w") as fh:
    json.dump(seen, fh)
with open("GridPlugin_block.html", "w") as fh:
    fh.write("<p>grid ok</p>")
print("grid plugin says hello", flush=True)
flag = cfg.get("wait_for")
while flag and not os.path.exists(flag):
    time.sleep(0.1)
time.sleep(float(cfg.get("sleep", 0)))
if cfg.get("mode") == "raise":
    raise RuntimeError("grid plugin failed on purpose")
return True
'''


def db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def require_postgres() -> None:
    if connection.vendor == "postgresql":
        return
    message = "the job service process shares the test database: set DATABASE_URL to PostgreSQL"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_backend(name: str) -> None:
    require_postgres()
    if name == "sge":
        require_sge()


class ServiceProcess:
    """`manage.py jobservice` in a subprocess against the test database."""

    def __init__(self, backend: str, workdir: Path, prefix: str):
        self.backend = backend
        self.workdir = workdir
        self.prefix = prefix
        self.proc = None
        self.logs = []

    def env(self):
        env = dict(os.environ)
        env.update(
            DATABASE_URL=db_url(), DATABASE_CONN_MAX_AGE="0", ION_JOB_BACKEND=self.backend,
            ION_JOB_STATE_DIR=str(self.workdir / "jobstate"), ION_JOB_NAME_PREFIX=self.prefix,
            ION_JOB_DB_POLL="0.1", ION_JOB_STATUS_POLL="0.5", ION_JOB_RECONCILE_INTERVAL="5",
            ION_JOB_LOST_GRACE="60", ION_VAR_DIR=str(self.workdir / "var"), ION_LOCAL_SLOTS="8",
            ION_RESULTS_ROOT=str(settings.ION_RESULTS_ROOT), PYTHONUNBUFFERED="1",
            # Jobs it starts (analyses, and the plugins those launch) call back the test's server.
            ION_NET_LOCATION=settings.ION_NET_LOCATION or "",
        )
        env.pop("DATABASE_TEST_NAME", None)
        return env

    def start(self, **extra_env):
        log = self.workdir / f"jobservice.{len(self.logs)}.log"
        self.logs.append(log)
        env = dict(self.env(), **extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "jobservice", "--backend", self.backend, "-v", "2"],
            cwd=str(ROOT), env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        return self

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout=20):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_text(self):
        return "\n".join(p.read_text() for p in self.logs if p.exists())

    def wait_for(self, predicate, what, timeout=300, interval=0.5, log_tail=None):
        """wait_until, failing at once if this service has exited; on failure prints the
        service's log (its last log_tail characters if given)."""
        def check():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"job service exited {self.proc.returncode}:\n{self.log_text()}")
            return predicate()
        try:
            return wait_until(check, timeout=timeout, interval=interval, what=what)
        except AssertionError:
            print(self.log_text()[-log_tail:] if log_tail else self.log_text())
            raise


def our_grid_jobs(prefix):
    from sge.backends import sgecli
    return [j for j in sgecli.qstat_jobs() if j.name.startswith(prefix + "_")]


def delete_grid_jobs(prefix):
    from sge.backends import bare_qsub
    try:
        bare_qsub.qdel([j.jobid for j in our_grid_jobs(prefix)])
    except Exception:  # cleanup only
        pass


@pytest.fixture(params=["sge", "local"])
def backend_name(request):
    require_backend(request.param)
    return request.param


def _serve_jobs_to(live_server, settings, tmp_path):
    """Jobs call the live server back; the folder the service's jobs work in."""
    settings.ION_NET_LOCATION = live_server.url
    settings.ION_API_URL = live_server.url + "/rundb/api/"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    work = tmp_path / "grid"
    work.mkdir()
    return work


@pytest.fixture(params=["local", pytest.param("sge", marks=pytest.mark.sge)])
def service(request, live_server, settings, tmp_path):
    """A running job service (local backend, and Grid Engine where there is one) whose jobs
    call the live server back; its log is printed when it did not stop cleanly."""
    require_backend(request.param)
    work = _serve_jobs_to(live_server, settings, tmp_path)
    proc = ServiceProcess(request.param, work, "e" + uuid.uuid4().hex[:8])
    yield proc
    code = proc.stop()
    if proc.proc is not None and code not in (0, None):
        print(proc.log_text())
    if request.param == "sge":
        delete_grid_jobs(proc.prefix)


@pytest.fixture
def grid(live_server, settings, tmp_path, backend_name):
    """Everything an end-to-end test needs; the service is started by the test."""
    env = Grid(backend_name, _serve_jobs_to(live_server, settings, tmp_path))
    yield env
    t0 = time.monotonic()
    code = env.service.stop()
    if os.environ.get("GRID_DEBUG"):
        print(f"service stop took {time.monotonic() - t0:.2f}s")
    if env.service.proc is not None and (code not in (0, None) or os.environ.get("GRID_DEBUG")):
        print(env.service.log_text())
    if backend_name == "sge":
        delete_grid_jobs(env.prefix)
    else:
        from sge.backends.local import LocalBackend
        local = LocalBackend(state_dir=env.work / "jobstate")
        for job in local.list_jobs():
            try:
                local.terminate(job.jobid)
            except Exception:  # already gone
                pass


class Grid:
    def __init__(self, backend, work):
        from django.contrib.auth import get_user_model

        self.backend = backend
        self.work = work
        self.prefix = "g" + uuid.uuid4().hex[:8]
        self.service = ServiceProcess(backend, work, self.prefix)
        self.user = get_user_model().objects.create_superuser("ionadmin", "a@example.com", "ionadmin")
        self.report = create_report()
        self._plugins = {}

    def plugin(self, name="GridPlugin", *, attrs=""):
        if name not in self._plugins:
            body = GRID_PLUGIN_BODY.replace("GridPlugin_block", f"{name}_block")
            self._plugins[name] = install(make_plugin_zip(self.work / "zips", name, body, attrs=attrs))
        return self._plugins[name]

    def launch(self, name="GridPlugin", config=None, *, attrs=""):
        from plugin.services.launch import launch_plugin

        pr = launch_plugin(self.report, self.plugin(name, attrs=attrs), user=self.user,
                           pluginconfig=config or {"mode": "ok"})
        return pr, pr.launched_jobs[0]

    def wait_state(self, job, states, timeout=60):
        states = (states,) if isinstance(states, str) else tuple(states)

        def check():
            job.refresh_from_db()
            return job.state in states
        try:
            self.service.wait_for(check, f"job {job.pk} in {states}", timeout=timeout, interval=0.1)
        except AssertionError:
            print(Path(job.stdout_path).read_text() if Path(job.stdout_path).exists() else "(no drmaa_stdout.txt)")
            raise
        return job

    def wait_exit_code(self, job, timeout=30):
        """The launch script reports its final state before it exits; the service adds the
        exit code once the job has left the scheduler."""
        def check():
            job.refresh_from_db()
            return job.exit_code is not None
        wait_until(check, timeout=timeout, interval=0.1, what=f"exit code of job {job.pk}")
        return job


def seen(job):
    return json.loads((Path(job.work_dir) / "seen.json").read_text())


def wait_file(path, timeout=60):
    wait_until(lambda: Path(path).exists(), timeout=timeout, interval=0.1, what=f"{path}")


def qstat_detail(jobid):
    from sge.backends import sgecli
    return sgecli.qstat_job_detail(jobid)
