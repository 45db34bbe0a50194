"""Local backend: cancel_requested (what `pluginresult/<pk>/stop/` sets) ends in Cancelled and
the job's processes are gone."""
import os
import time

import pytest

from jobservice_support import drive, fresh, local_service, make_plugin_job, report  # noqa: F401
from plugin.services.pluginresults import request_stop
from rundb.models import JobState, PluginResultJob
from sge.cancel import request_cancel

pytestmark = pytest.mark.django_db


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(") ")[1][0] not in "ZX"


def test_stop_running_job(local_service, report, tmp_path):
    pidfile = tmp_path / "pid"
    job = make_plugin_job(report, f"echo $$ > {pidfile}; sleep 60")
    drive(local_service, lambda: fresh(job).state == JobState.STARTED and pidfile.exists(), what="Started")
    pid = int(pidfile.read_text())
    assert request_stop(fresh(job).plugin_result) == [job.pk]
    local_service.tick()
    job = fresh(job)
    assert job.state == JobState.CANCELLED and job.endtime is not None
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(pid)
    assert str(job.grid_engine_jobid) not in {j.jobid for j in local_service.backend.list_jobs()}


def test_stop_before_submission(local_service, report):
    job = make_plugin_job(report, "sleep 60")
    assert request_cancel(PluginResultJob, [job.pk]) == 1
    local_service.run_once()
    job = fresh(job)
    assert job.state == JobState.CANCELLED and job.grid_engine_jobid is None
    assert "before submission" in job.message


def test_stop_of_finished_job_changes_nothing(local_service, report):
    job = make_plugin_job(report, "true")
    drive(local_service, lambda: fresh(job).state == JobState.COMPLETED, what="Completed")
    assert request_cancel(PluginResultJob, [job.pk]) == 0
    local_service.run_once()
    assert fresh(job).state == JobState.COMPLETED
