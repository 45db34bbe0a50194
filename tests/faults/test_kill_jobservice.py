"""SIGKILL of the job service while 50 plugin jobs and an analysis run: after a restart every
job ends in its true state, none is submitted twice, no plugin result is lost, and the
analysis ends Completed (or in a clear Error)."""
import time

import pytest

from faults_support import report_recovery

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_jobservice_killed_and_restarted(fault_grid):
    run = fault_grid
    before = run.start_busy()

    run.grid.service.kill()
    run.flag.touch()  # the jobs end while no service runs
    time.sleep(3)
    t0 = time.monotonic()
    run.grid.service.start()
    run.wait_all_final()
    counts = run.verify(grid_ids_before=before)
    report_recovery("kill -9 job service", time.monotonic() - t0, counts)
    assert counts["lost"] == counts["duplicated"] == 0
