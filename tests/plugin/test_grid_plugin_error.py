"""A plugin that raises ends in Error, with its traceback in drmaa_stdout.txt."""
from pathlib import Path

import pytest

from grid_support import backend_name, grid  # noqa: F401
from rundb.models import JobState

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_raising_plugin_is_error_with_traceback(grid):
    grid.service.start()
    _, job = grid.launch(config={"mode": "raise"})
    job = grid.wait_state(job, JobState.FINAL)
    assert job.state == JobState.ERROR
    job = grid.wait_exit_code(job)
    assert job.exit_code not in (None, 0)
    out = Path(job.stdout_path).read_text()
    assert "Traceback (most recent call last)" in out
    assert "RuntimeError: grid plugin failed on purpose" in out
    assert "finished with state Error" in out
