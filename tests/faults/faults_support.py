"""The full stack under faults: 50 plugin jobs and an analysis on the real Grid Engine, a job
service, a web server and a Celery worker as separate processes that a test can SIGKILL.

Each plugin job writes ``results.json`` and a block page, waits for a flag file, then ends
as its configuration says (``ok`` → Completed, ``raise`` → Error). After a fault the test
checks every job's *true* state: the state its exit code and files say, not the last one
somebody managed to report (tests/plugin/grid_support.py has the single-fault versions).
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent

from grid_support import ROOT, Grid, ServiceProcess, delete_grid_jobs, require_backend  # noqa: E402
from sgeutil import wait_until  # noqa: E402

FAULT_PLUGIN_BODY = r'''
import time
cfg = self.startplugin.get("pluginconfig") or {}
with open("results.json", "w") as fh:
    json.dump({"index": cfg.get("index"), "mode": cfg.get("mode")}, fh)
with open("%(name)s_block.html", "w") as fh:
    fh.write("<p>job %%s</p>" %% cfg.get("index"))
flag = cfg.get("wait_for")
while flag and not os.path.exists(flag):
    time.sleep(0.2)
if cfg.get("mode") == "raise":
    raise RuntimeError("failed on purpose")
return True
'''
PLUGINS = ("FaultA", "FaultB", "FaultC", "FaultD", "FaultE")
FINAL = ("Completed", "Error")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProcessGroup:
    """A service started in a session of its own (``self.proc``), killed or stopped as a group."""

    proc = None

    def kill(self):
        """SIGKILL the whole process group: a parent and its workers die at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout=30):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class WebProcess(ProcessGroup):
    """gunicorn serving the test database on a port of its own (the process a test kills)."""

    def __init__(self, workdir: Path, port: int, **extra_env):
        self.workdir, self.port, self.proc, self.logs = workdir, port, None, []
        self.extra_env = extra_env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = ServiceProcess("sge", self.workdir, "unused").env()
        env.update(ALLOWED_HOSTS="127.0.0.1,localhost", GUNICORN_BIND=f"127.0.0.1:{self.port}",
                   GUNICORN_WORKERS="2", GUNICORN_THREADS="4", **self.extra_env)
        log = self.workdir / f"web.{len(self.logs)}.log"
        self.logs.append(log)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py")],
            cwd=str(ROOT), env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.answers, timeout=60, interval=0.2, what="gunicorn answering")
        return self

    def answers(self) -> bool:
        """An HTTP answer, not just a connection: the arbiter listens before its workers have
        loaded the application, and what waits in the backlog then is reset by a stop."""
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited {self.proc.returncode}: {self.logs[-1].read_text()}")
        try:
            for _ in range(4):
                requests.get(self.url + "/rundb/api/v1/", timeout=5)
            return True
        except requests.RequestException:
            return False



@dataclass
class Launched:
    pr: object
    job: object
    expected: str  # the state its exit code must give
    index: int


@dataclass
class FaultRun:
    grid: Grid
    flag: Path
    jobs: list = field(default_factory=list)
    analysis: object = None  # the AnalysisJob in progress during the fault

    def launch_many(self, n=50, fail_every=5):
        """n plugin jobs over a few plugins and reports; every fail_every-th raises."""
        from plugin.services.launch import launch_plugin

        for i in range(n):
            name = PLUGINS[i % len(PLUGINS)]
            mode = "raise" if i % fail_every == fail_every - 1 else "ok"
            pr = launch_plugin(self.grid.report, self.plugin(name), user=self.grid.user,
                               pluginconfig={"mode": mode, "index": i, "wait_for": str(self.flag)})
            self.jobs.append(Launched(pr, pr.launched_jobs[0], "Error" if mode == "raise" else "Completed", i))
        return self.jobs

    def plugin(self, name):
        if name not in self.grid._plugins:
            from launch_support import install, make_plugin_zip
            body = FAULT_PLUGIN_BODY % {"name": name}
            self.grid._plugins[name] = install(make_plugin_zip(self.grid.work / "zips", name, body))
        return self.grid._plugins[name]

    def start_analysis(self):
        """A small simulated run, ingested as the crawler does: its AnalysisJob is Queued."""
        import analysis_support as an
        from rundb.models import AnalysisJob

        kit = an.barcode_kit(2)
        run = an.simulate("R_2024_05_06_07_08_09_user_faults", kit=kit, reads=1500)
        an.install_reference_of(run)
        report = an.ingest(run.run_dir)
        self.analysis = AnalysisJob.objects.get(result=report)
        return self.analysis

    def start_busy(self, n=50, started=20):
        """The job service running an analysis and n plugin jobs, at least `started` of them
        Started and the analysis submitted; returns {job pk: grid job id} of the submitted plugin
        jobs, which must not change across the fault (no job submitted twice)."""
        from rundb.models import AnalysisJob, PluginResultJob

        self.grid.service.start()
        analysis = self.start_analysis()
        self.launch_many(n)
        self.wait_started(started)
        wait_until(lambda: AnalysisJob.objects.get(pk=analysis.pk).state != "Queued", timeout=120,
                   what="analysis submitted")
        return dict(PluginResultJob.objects.filter(pk__in=[j.job.pk for j in self.jobs],
                                                   grid_engine_jobid__isnull=False)
                    .values_list("pk", "grid_engine_jobid"))

    def started_count(self):
        from rundb.models import PluginResultJob
        return PluginResultJob.objects.filter(pk__in=[j.job.pk for j in self.jobs], state="Started").count()

    def wait_started(self, at_least, timeout=120):
        wait_until(lambda: self.started_count() >= at_least, timeout=timeout, interval=0.2,
                   what=f"{at_least} plugin jobs Started")

    def wait_all_final(self, timeout=240):
        from django.db import models

        from rundb.models import AnalysisJob, PluginResultJob
        ids = [j.job.pk for j in self.jobs]

        def done():
            # Final, and the exit code collected (the service adds it once the job left the scheduler).
            rows = PluginResultJob.objects.filter(pk__in=ids)
            if rows.exclude(state__in=FINAL).exists() or rows.filter(exit_code__isnull=True).exists():
                return False
            return self.analysis is None or AnalysisJob.objects.get(pk=self.analysis.pk).state in FINAL
        t0 = time.monotonic()
        try:
            wait_until(done, timeout=timeout, interval=0.25, what="every job final")
        except AssertionError:
            print(self.grid.service.log_text()[-20000:])
            print("not final:", list(PluginResultJob.objects.filter(pk__in=ids).filter(
                models.Q(exit_code__isnull=True) | ~models.Q(state__in=FINAL)).values_list(
                "pk", "state", "exit_code", "grid_engine_jobid")))
            if self.analysis is not None:
                print("analysis:", AnalysisJob.objects.filter(pk=self.analysis.pk).values().first())
            raise
        return time.monotonic() - t0

    def verify(self, *, grid_ids_before=None):
        """Every job in its true state, run once, results kept; returns the counts."""
        from rundb.models import AnalysisJob, PluginResult, PluginResultJob, Results

        rows = {r.pk: r for r in PluginResultJob.objects.filter(pk__in=[j.job.pk for j in self.jobs])}
        wrong = [(j.index, rows[j.job.pk].state, j.expected) for j in self.jobs if rows[j.job.pk].state != j.expected]
        assert not wrong, f"jobs not in their true state (index, state, expected): {wrong}"
        for j in self.jobs:
            row = rows[j.job.pk]
            assert row.exit_code == (0 if j.expected == "Completed" else 1), (j.index, row.exit_code)
            assert runs_of(row) == 1, f"job {j.index} ran {runs_of(row)} times"
        grid_ids = [r.grid_engine_jobid for r in rows.values()]
        assert all(grid_ids) and len(set(grid_ids)) == len(grid_ids), "a job was submitted twice"
        if grid_ids_before:
            assert {pk: rows[pk].grid_engine_jobid for pk in grid_ids_before} == grid_ids_before
        stores = {pr.pk: pr.store for pr in PluginResult.objects.filter(pk__in=[j.pr.pk for j in self.jobs])}
        lost = [j.index for j in self.jobs if (stores[j.pr.pk] or {}).get("index") != j.index]
        assert not lost, f"plugin results lost (results.json not in pluginStore): {lost}"
        counts = {"started": len(rows), "completed": sum(r.state == "Completed" for r in rows.values()),
                  "error": sum(r.state == "Error" for r in rows.values()), "lost": len(lost),
                  "duplicated": len(grid_ids) - len(set(grid_ids))}
        if self.analysis is not None:
            job = AnalysisJob.objects.get(pk=self.analysis.pk)
            report = Results.objects.get(pk=job.result_id)
            if job.state == "Completed":
                assert report.status == "Completed", report.status
            else:  # a clear Error with its reason on the report
                assert report.status.startswith("Error"), report.status
                assert (report.metaData or {}).get("error"), report.metaData
            counts["analysis"] = job.state
        return counts


def runs_of(job) -> int:
    """How many times the launch script started for this job (one line per run)."""
    text = Path(job.stdout_path).read_text() if Path(job.stdout_path).exists() else ""
    return len(re.findall(r"^Plugin result: .*, job %d," % job.pk, text, re.M))


def report_recovery(what, seconds, counts):
    print(f"\nFAULT {what}: recovered in {seconds:.1f} s; jobs {counts}")


@pytest.fixture
def fault_grid(live_server, settings, tmp_path):
    """A Grid (tests/plugin/grid_support.py) on the real Grid Engine, plus a release flag."""
    require_backend("sge")
    settings.ION_NET_LOCATION = live_server.url
    settings.ION_API_URL = live_server.url + "/rundb/api/"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    work = tmp_path / "grid"
    work.mkdir()
    grid = Grid("sge", work)
    run = FaultRun(grid, tmp_path / "release")
    yield run
    run.flag.touch()
    code = grid.service.stop() if grid.service.proc is not None else None
    if grid.service.proc is not None and code not in (0, None):
        print(grid.service.log_text())
    clear_grid_jobs(grid.prefix)


def clear_grid_jobs(prefix):
    """Delete this test's jobs and wait until the scheduler has forgotten them; force it for
    jobs whose end it never heard of (deleted-while-running after a master restart), so that no
    zombie holds a plugin.q slot for the tests after this one."""
    from sge.backends import bare_qsub, sgecli
    from grid_support import our_grid_jobs

    ids = [j.jobid for j in our_grid_jobs(prefix)]
    delete_grid_jobs(prefix)
    if ids and not bare_qsub.wait_gone(ids, timeout=30):
        left = [j.jobid for j in our_grid_jobs(prefix)]
        print(f"forcing the deletion of {len(left)} job(s) the scheduler still lists: {left}")
        sgecli.run(["qdel", "-f", *left])
        bare_qsub.wait_gone(left, timeout=30)


def percentile_ms(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return 1000 * (values[lo] + (values[hi] - values[lo]) * (k - lo))
