"""The job service is SIGKILLed while plugin jobs run and restarted after they ended: the
final states are still right, nothing is submitted twice, nothing stays Started.

Two of the jobs cannot report over REST (their run's api key was replaced after launch), and
one has its launch script killed (no trap, no callback): only the restarted service, reading
their exit-code files, can settle them."""
import re
from pathlib import Path

import pytest

from grid_support import backend_name, grid, our_grid_jobs  # noqa: F401
from rundb.models import JobState, PluginResultJob
from sgeutil import wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]

# Kill the launch script (the plugin's grand-parent shell) with SIGKILL, then finish normally.
KILL_WRAPPER = "os.kill(os.getppid(), 9)"


def silence_callbacks(pr):
    PluginResultJob.objects.filter(plugin_result=pr).update(apikey_hash="")


def scheduler_jobs(grid):
    if grid.backend == "sge":
        return {j.jobid for j in our_grid_jobs(grid.prefix)}
    from sge.backends.local import LocalBackend
    return {j.jobid for j in LocalBackend(state_dir=grid.work / "jobstate").list_jobs()}


def runs_of(job):
    """How many times the launch script started for this job (it prints one line per run)."""
    return len(re.findall(r"^Plugin result: .*, job %d," % job.pk, Path(job.stdout_path).read_text(), re.M))


def test_kill_and_restart_while_jobs_run(grid, tmp_path):
    flag = tmp_path / "finish"
    wait = {"wait_for": str(flag)}
    grid.service.start()
    pr_ok, ok = grid.launch("GridOk", dict(wait, mode="ok"))
    pr_fail, fail = grid.launch("GridFail", dict(wait, mode="raise"))
    _, callback = grid.launch("GridCallback", dict(wait, mode="ok"))
    _, killed = grid.launch("GridKilled", dict(wait, mode="ok"))
    silence_callbacks(pr_ok)
    silence_callbacks(pr_fail)
    # GridKilled's plugin kills its launch script once released: patch its plugin source.
    src = Path(grid.plugin("GridKilled").path) / "GridKilled.py"
    src.write_text(src.read_text().replace("return True\n", f"{KILL_WRAPPER}\n        return True\n", 1))
    jobs = [ok, fail, callback, killed]
    for job in jobs:
        grid.wait_state(job, JobState.STARTED)  # by callback, or by the service's poll
    ids = {job.pk: job.grid_engine_jobid for job in jobs}

    grid.service.kill()
    flag.touch()
    wait_until(lambda: not scheduler_jobs(grid), timeout=60, what="all jobs ended")
    _, late = grid.launch("GridLate", {"mode": "ok"})  # launched while no service runs
    for job in (ok, fail, killed, late):
        job.refresh_from_db()
    assert (ok.state, fail.state, killed.state) == (JobState.STARTED,) * 3  # nobody could tell
    assert late.state == JobState.QUEUED and late.grid_engine_jobid is None

    grid.service.start()
    for job in jobs + [late]:
        grid.wait_state(job, JobState.FINAL)
    states = {job.pk: PluginResultJob.objects.get(pk=job.pk) for job in jobs + [late]}
    assert states[ok.pk].state == JobState.COMPLETED and states[ok.pk].exit_code == 0
    assert states[fail.pk].state == JobState.ERROR and states[fail.pk].exit_code == 1
    assert states[callback.pk].state == JobState.COMPLETED
    assert states[killed.pk].state == JobState.ERROR and states[killed.pk].exit_code == 137
    assert states[late.pk].state == JobState.COMPLETED
    assert {job.pk: states[job.pk].grid_engine_jobid for job in jobs} == ids  # not resubmitted
    grid_ids = [row.grid_engine_jobid for row in states.values()]
    assert len(set(grid_ids)) == len(grid_ids)
    for job in jobs + [late]:
        assert runs_of(states[job.pk]) == 1
