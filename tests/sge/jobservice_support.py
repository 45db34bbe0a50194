"""Rows, scripts and a driven JobService for the job service tests (tests/sge/test_service_*).

Rows are created directly (no plugin install): a report, a Plugin row, a PluginResult and
PluginResultJob rows whose launch script is a plain bash script. The backend wrapper writes
the exit-code file where the plugin launch script would (plugin_<Name>_<pk>.exitcode).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model

from rundb.models import AnalysisJob, JobState, Plugin, PluginResult, PluginResultJob, ReportStorage, Results


def make_report(root: Path, name="svc_report") -> Results:
    root.mkdir(parents=True, exist_ok=True)
    storage, _ = ReportStorage.objects.get_or_create(name="svc", defaults={"dirPath": str(root), "webServerPath": "/output"})
    result = Results.objects.create(reportstorage=storage, resultsName=name)
    result.report_dir.mkdir(parents=True, exist_ok=True)
    return result


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/bash\n" + body.strip() + "\n")
    os.chmod(path, 0o755)
    return path


def make_plugin_job(report: Results, body: str, *, plugin_name="Svc", depends_on=(), run_level="default",
                    native_spec="") -> PluginResultJob:
    """A Queued PluginResultJob whose script is *body*."""
    user = get_user_model().objects.filter(username="svcuser").first() or \
        get_user_model().objects.create_user("svcuser", "svc@example.com", "x")
    plugin, _ = Plugin.objects.get_or_create(name=plugin_name, version="1.0.0.0")
    pr = PluginResult.objects.create(plugin=plugin, result=report, owner=user)
    folder = report.report_dir / "plugin_out" / f"{plugin_name}_out.{pr.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    job = PluginResultJob.objects.create(plugin_result=pr, run_level=run_level, state=JobState.QUEUED,
                                         work_dir=str(folder), stdout_path=str(folder / "drmaa_stdout.txt"),
                                         native_spec=native_spec)
    script = write_script(folder / f"ion_plugin_{plugin_name}_launch.{job.pk}.sh", body)
    job.script_path = str(script)
    job.save(update_fields=["script_path"])
    if depends_on:
        job.depends_on.add(*depends_on)
    return job


def make_analysis_job(report: Results, body: str) -> AnalysisJob:
    script = write_script(report.report_dir / f"ion_analysis_{AnalysisJob.objects.count():02d}.sh", body)
    return AnalysisJob.objects.create(result=report, state=JobState.QUEUED, script_path=str(script),
                                      work_dir=str(report.report_dir),
                                      stdout_path=str(report.report_dir / "drmaa_stdout.txt"))


def unique_prefix(letter="t") -> str:
    return letter + uuid.uuid4().hex[:8]


def fresh(row):
    row.refresh_from_db()
    return row


def drive(service, predicate, timeout=30.0, what="condition", interval=0.05):
    """Run service passes until predicate() is true (returns its value)."""
    from sgeutil import wait_until

    def tick_then_check():
        service.tick()
        return predicate()

    return wait_until(tick_then_check, timeout=timeout, interval=interval, what=what)


def _delete_jobs_and_close(service, backend):
    """Delete the jobs the fixture's service left behind, then close its backend."""
    for job in backend.list_jobs():
        if service.naming.parse(job.name):
            try:
                backend.terminate(job.jobid)
            except Exception:  # already gone
                pass
    backend.close()


def states(*rows):
    return [fresh(r).state for r in rows]


# -- fixtures (import them into a test module by name) --------------------------------------
import pytest  # noqa: E402


@pytest.fixture
def report(db, tmp_path):
    return make_report(tmp_path / "reports")


@pytest.fixture
def local_service(db, tmp_path):
    """A JobService on a LocalBackend with fast timings; its jobs are killed afterwards."""
    from sge.backends.local import LocalBackend
    from sge.service import JobService
    from sge.service_config import ServiceConfig

    backend = LocalBackend(state_dir=tmp_path / "jobstate", term_grace=2.0)
    config = ServiceConfig(db_poll=0.05, status_poll=0.0, reconcile_interval=3600, lost_grace=2.0)
    service = JobService(backend, config=config, prefix=unique_prefix())
    yield service
    _delete_jobs_and_close(service, backend)


@pytest.fixture
def sge_service(db, tmp_path):
    """A JobService on the real Grid Engine (DRMAA in this process); its jobs are deleted afterwards."""
    from sgeutil import require_sge

    require_sge()
    from sge.backends.drmaa_backend import DrmaaBackend
    from sge.service import JobService
    from sge.service_config import ServiceConfig

    backend = DrmaaBackend(state_dir=tmp_path / "jobstate", install_signal_handler=False)
    config = ServiceConfig(db_poll=0.05, status_poll=0.0, reconcile_interval=3600, lost_grace=30.0)
    service = JobService(backend, config=config, prefix=unique_prefix("s"))
    yield service
    _delete_jobs_and_close(service, backend)
