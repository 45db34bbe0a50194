"""While the Grid Engine master does not answer (a restart), the job service makes no DRMAA
call that needs it (one that meets a master going down or starting up hangs for 60 s): new
rows wait Queued, no failed submission is counted against them, and they are submitted once
the master answers again. The master is made unreachable for this process's Grid Engine
commands by pointing them at a closed port (SGE_QMASTER_PORT); the DRMAA session stays open."""
import socket
import time

import pytest

from jobservice_support import drive, fresh, make_plugin_job, report, sge_service  # noqa: F401
from rundb.models import JobState
from sge import submit
from sge.backends import drmaa_backend as db
from sge.backends import sgecli

pytestmark = [pytest.mark.sge, pytest.mark.django_db]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def test_submissions_wait_for_the_master_without_counting_failures(sge_service, report, monkeypatch):
    monkeypatch.setattr(db, "PROBE_INTERVAL", 0.1)
    monkeypatch.setattr(submit, "UNREACHABLE_PAUSE", 0.1)
    monkeypatch.setenv("SGE_QMASTER_PORT", closed_port())
    assert not sgecli.master_answers()
    monkeypatch.setattr(db, "_unreachable", True)  # as after a DRMAA call that failed to reach it
    monkeypatch.setattr(db, "_next_probe", 0.0)
    job = make_plugin_job(report, "echo submitted after the outage")
    for _ in range(3 * sge_service.config.submit_retries):
        sge_service.quick()
        time.sleep(0.15)
    row = fresh(job)
    assert (row.state, row.grid_engine_jobid) == (JobState.QUEUED, None)
    assert not sge_service.submitter._failures  # no retry counted against the row

    monkeypatch.delenv("SGE_QMASTER_PORT")
    drive(sge_service, lambda: fresh(job).state == JobState.COMPLETED, timeout=60, what="Completed")
    assert not db._unreachable
    assert fresh(job).exit_code == 0
