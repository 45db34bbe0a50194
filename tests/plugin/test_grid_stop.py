"""GET pluginresult/<pk>/stop/ on a running plugin: Cancelled, and the job is gone from the
scheduler (qstat) with its processes."""
import pytest
import requests

from grid_support import backend_name, grid, our_grid_jobs  # noqa: F401
from rundb.models import JobState
from sgeutil import wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def listed(grid):
    if grid.backend == "sge":
        return {j.jobid for j in our_grid_jobs(grid.prefix)}
    from sge.backends.local import LocalBackend
    return {j.jobid for j in LocalBackend(state_dir=grid.work / "jobstate").list_jobs()}


def test_stop_running_plugin(grid, live_server, tmp_path):
    grid.service.start()
    pr, job = grid.launch(config={"wait_for": str(tmp_path / "never")})
    job = grid.wait_state(job, JobState.STARTED)
    assert str(job.grid_engine_jobid) in listed(grid)
    resp = requests.post(f"{live_server.url}/rundb/api/v1/pluginresult/{pr.pk}/stop/", auth=("ionadmin", "ionadmin"),
                        timeout=30)
    assert resp.status_code in (200, 202, 204), resp.text
    job = grid.wait_state(job, JobState.FINAL, timeout=30)
    assert job.state == JobState.CANCELLED and job.endtime is not None
    wait_until(lambda: str(job.grid_engine_jobid) not in listed(grid), timeout=30, what="job gone from the scheduler")
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED  # a late TERM report from the job changes nothing


def test_stop_queued_plugin_held_by_dependency(grid, tmp_path):
    flag = tmp_path / "release-parent"
    grid.service.start()
    _, parent = grid.launch("GridParent", {"wait_for": str(flag)})
    child_pr, child = grid.launch("GridChild", {"mode": "ok"}, attrs='depends = ["GridParent"]')
    grid.wait_state(parent, JobState.STARTED)
    wait_until(lambda: child.refresh_from_db() or child.grid_engine_jobid, timeout=30, what="child submitted")
    from plugin.services.pluginresults import request_stop
    assert request_stop(child_pr) == [child.pk]
    child = grid.wait_state(child, JobState.FINAL, timeout=30)
    assert child.state == JobState.CANCELLED and child.starttime is None
    wait_until(lambda: str(child.grid_engine_jobid) not in listed(grid), timeout=30, what="child gone")
    flag.touch()
    assert grid.wait_state(parent, JobState.FINAL).state == JobState.COMPLETED
