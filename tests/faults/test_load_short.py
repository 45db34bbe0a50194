"""bench/load.py, short and bounded: concurrent API clients (reads, plan and report writes,
plugin launches) while the launched jobs call back, paced and then back to back. Fails on any
error, never on a timing."""
import os
import subprocess
import sys

import pytest

from faults_support import ROOT

pytestmark = [pytest.mark.sge, pytest.mark.slow]


def test_short_load_run_has_no_errors():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("bench/load.py needs PostgreSQL (DATABASE_URL)")
    from sgeutil import require_sge
    require_sge()
    env = dict(os.environ)
    env.pop("DATABASE_TEST_NAME", None)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--clients", "12", "--seconds", "12", "--reports", "60",
         "--launch-rate", "1",
         "--rate", "12", "--warmup-seconds", "2", "--capacity-seconds", "4"],
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=600)
    print(proc.stdout[-6000:], proc.stderr[-3000:])
    assert proc.returncode == 0, "bench/load.py reported errors or unfinished jobs"
    assert "\nerrors: 0\n" in proc.stdout + "\n"
    assert "measured run (12 clients, 12 requests/s in all)" in proc.stdout
    assert "capacity run (12 clients, back to back)" in proc.stdout
