"""A service that died between submitting (on hold) and storing the grid id leaves a held job
named for its row. The next service adopts it instead of submitting again: one run only."""
import re
from pathlib import Path

import pytest

from grid_support import backend_name, grid, our_grid_jobs  # noqa: F401
from rundb.models import JobState
from plugin.jobkinds import PluginJobKind

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def leave_orphan(grid, job):
    name = f"{grid.prefix}_prj_{job.pk}"
    env = {"ION_JOB_EXITCODE_FILE": PluginJobKind().exitcode_file(job), "PATH": "/usr/bin:/bin"}
    if grid.backend == "sge":
        from sge.backends.bare_qsub import submit_with_qsub
        jid = submit_with_qsub(job.script_path, job_name=name, stdout_path=job.stdout_path, work_dir=job.work_dir,
                               env=env, hold=True, wrap_exitcode=True)
        assert {j.jobid: j.raw_state for j in our_grid_jobs(grid.prefix)}[jid] == "hqw"
        return jid
    from sge.backends.local import LocalBackend
    return LocalBackend(state_dir=grid.work / "jobstate").submit(
        job.script_path, job_name=name, stdout_path=job.stdout_path, work_dir=job.work_dir, env=env, hold=True)


def test_held_orphan_is_adopted_and_runs_once(grid):
    _, job = grid.launch(config={"mode": "ok"})
    orphan = leave_orphan(grid, job)
    grid.service.start()
    job = grid.wait_state(job, JobState.COMPLETED)
    assert str(job.grid_engine_jobid) == orphan
    out = Path(job.stdout_path).read_text()
    assert len(re.findall(r"^Plugin result: ", out, re.M)) == 1
    assert "adopted orphan job" in grid.service.log_text()
