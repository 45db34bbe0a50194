"""Restart of the Grid Engine master while 50 plugin jobs and an analysis run: running jobs
survive on the execution host, the job service keeps its DRMAA session, and every job ends in
its true state, submitted once.

First the operator's restart (`make sge-restart-master`) while every job still runs: the jobs
survive it. Then the master is stopped (SIGTERM to sge_qmaster), the jobs end while it is away,
and it comes back the way an operator brings back a master that died: `sge/setup_gridengine.sh`,
which starts what is down. Both restart the execd once the new master answers (an execd that
merely reconnects holds back the ends of DRMAA jobs for ten minutes; see the script's header).
The recovery time is counted from the SIGTERM."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from faults_support import report_recovery
from grid_support import ROOT, our_grid_jobs
from rundb.models import PluginResultJob
from sge.env import command_env
from sgeutil import wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SETUP = ROOT / "sge" / "setup_gridengine.sh"


def qmaster_pid():
    """The pid sge_qmaster recorded in its spool directory, while that process lives."""
    spool = "/var/spool/gridengine/qmaster"
    bootstrap = Path(os.environ.get("SGE_ROOT", "/var/lib/gridengine")) / os.environ.get("SGE_CELL", "default") / "common" / "bootstrap"
    for line in bootstrap.read_text().splitlines():
        if line.split()[:1] == ["qmaster_spool_dir"]:
            spool = line.split()[1]
    try:
        pid = int(Path(spool, "qmaster.pid").read_text().strip())
        return pid if Path(f"/proc/{pid}/comm").read_text().strip() == "sge_qmaster" else None
    except (OSError, ValueError):
        return None


def setup_script(*args):
    """sge/setup_gridengine.sh as an operator runs it; fails the test with its messages."""
    res = subprocess.run(["bash", str(SETUP), *args], capture_output=True, text=True, env=command_env(),
                         timeout=300)
    assert res.returncode == 0, res.stderr
    return res


def test_qmaster_restarted_while_jobs_run(fault_grid):
    if os.geteuid() != 0:
        pytest.skip("restarting sge_qmaster needs root (as CI runs)")
    run = fault_grid
    before = run.start_busy()
    started = set(PluginResultJob.objects.filter(pk__in=before, state="Started").values_list("pk", flat=True))
    pid = qmaster_pid()
    assert pid, "sge_qmaster is not running"

    restart = setup_script("--restart-master")
    assert "restarting sge_execd" in restart.stderr, restart.stderr
    assert qmaster_pid() not in (None, pid)
    still = set(PluginResultJob.objects.filter(pk__in=started, state="Started").values_list("pk", flat=True))
    listed = {j.jobid: j.raw_state for j in our_grid_jobs(run.grid.prefix)}
    assert still == started and all(listed.get(str(before[pk])) == "r" for pk in started), \
        f"a running job did not survive the restart: {sorted(started - still)}, {listed}"

    pid = qmaster_pid()
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    try:
        # A controlled shutdown (it writes its spool) takes seconds, over a minute on a loaded machine.
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout=180, what="sge_qmaster stopped")
        down = time.monotonic() - t0
        run.flag.touch()  # the jobs end while the master is away; the execd keeps their reports
        time.sleep(3)
        assert qmaster_pid() is None
        back = setup_script()
    finally:  # never leave the (shared) cluster without its master
        if qmaster_pid() is None:
            subprocess.run(["bash", str(SETUP)], env=command_env(), timeout=300)
    assert "restarting sge_execd" in back.stderr, back.stderr
    assert qmaster_pid() not in (None, pid)
    up = time.monotonic() - t0
    run.wait_all_final(timeout=240)
    counts = run.verify(grid_ids_before=before)
    counts.update({"master stopped after s": round(down, 1), "master back after s": round(up, 1)})
    report_recovery("restart of sge_qmaster", time.monotonic() - t0, counts)
    assert counts["lost"] == counts["duplicated"] == 0
    assert Path(run.grid.service.logs[-1]).exists()
