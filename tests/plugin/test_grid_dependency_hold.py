"""A plugin that `depends` on another waits for it: -hold_jid on the Grid Engine, visible in
`qstat -j` while the parent runs (hold_jids on the local backend)."""
from pathlib import Path

import pytest

from grid_support import backend_name, grid, qstat_detail, our_grid_jobs, wait_file  # noqa: F401
from rundb.models import JobState

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_dependency_chain_holds_until_parent_finishes(grid, tmp_path):
    flag = tmp_path / "release-parent"
    grid.service.start()
    _, parent = grid.launch("GridParent", {"wait_for": str(flag)})
    _, child = grid.launch("GridChild", {"mode": "ok"}, attrs='depends = ["GridParent"]')
    assert list(child.depends_on.all()) == [parent]
    grid.wait_state(parent, JobState.STARTED)
    wait_file(Path(parent.work_dir) / "seen.json")
    child.refresh_from_db()
    assert child.grid_engine_jobid and child.state == JobState.QUEUED
    if grid.backend == "sge":
        detail = qstat_detail(child.grid_engine_jobid)
        assert detail["jid_predecessor_list"].split(",") == [str(parent.grid_engine_jobid)]
        listed = {j.jobid: j for j in our_grid_jobs(grid.prefix)}
        assert listed[str(child.grid_engine_jobid)].raw_state == "hqw"  # held by the dependency only
    else:
        from sge.backends.local import LocalBackend
        local = LocalBackend(state_dir=grid.work / "jobstate")
        assert local.store.record(child.grid_engine_jobid)["hold_jids"] == [str(parent.grid_engine_jobid)]
        assert local.status(child.grid_engine_jobid).reason == "system hold (dependency)"
    flag.touch()
    child = grid.wait_state(child, JobState.COMPLETED)
    parent.refresh_from_db()
    assert parent.state == JobState.COMPLETED
    assert child.starttime >= parent.endtime
