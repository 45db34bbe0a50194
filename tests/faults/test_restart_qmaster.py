"""Restart of the Grid Engine master while 50 plugin jobs and an analysis run: running jobs
survive on the execution host, the job service keeps (or re-opens) its DRMAA session, and
every job ends in its true state, submitted once."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from faults_support import report_recovery
from rundb.models import AnalysisJob
from sge.env import command_env
from sgeutil import wait_until

pytestmark = [
    pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True),
    # Known failure, not yet fixed: after sge_qmaster is restarted here, the jobs that were
    # running stay listed as running and never finish (their ends are not reported to the new
    # master), so every job hangs until deleted with qdel -f. Enable when that is solved.
    pytest.mark.skip(reason="restarted qmaster never learns how the running jobs ended (open: issue 14)"),
]


def qmaster_pid():
    out = subprocess.run(["pgrep", "-x", "sge_qmaster"], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def qstat_answers():
    return subprocess.run(["qstat", "-s", "r"], capture_output=True, env=command_env(), timeout=20).returncode == 0


def test_qmaster_restarted_while_jobs_run(fault_grid):
    run = fault_grid
    run.grid.service.start()
    analysis = run.start_analysis()
    run.launch_many(50)
    run.wait_started(20)
    wait_until(lambda: AnalysisJob.objects.get(pk=analysis.pk).state != "Queued", timeout=120,
               what="analysis submitted")
    pid = qmaster_pid()
    assert pid, "sge_qmaster is not running"
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: qmaster_pid() is None, timeout=60, what="sge_qmaster stopped")
    run.flag.touch()  # jobs end while the master is away; the execd keeps their reports
    time.sleep(3)
    # Only the master comes back (as sge/setup_gridengine.sh starts it); the execution daemon
    # and its jobs were never stopped.
    subprocess.run(["/usr/sbin/sge_qmaster"], check=True, env=command_env(), timeout=60)
    wait_until(qstat_answers, timeout=60, what="qmaster answering")
    run.wait_all_final(timeout=300)
    counts = run.verify()
    report_recovery("restart of sge_qmaster", time.monotonic() - t0, counts)
    assert Path(run.grid.service.logs[-1]).exists()
