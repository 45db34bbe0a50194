"""A job the scheduler still lists as running although it wrote its exit code long ago (an
execd that reconnected to a restarted qmaster holds such ends back for ten minutes): the job
service settles it from the exit-code file once that file is EXIT_REPORT_GRACE s old, and not
before. The job here writes its code, then keeps running, so Grid Engine really lists it."""
import os
import time
from pathlib import Path

import pytest

from jobservice_support import drive, fresh, make_plugin_job, report, sge_service  # noqa: F401
from rundb.models import JobState
from sge.backends import sgecli
from sge.poll import EXIT_REPORT_GRACE

pytestmark = [pytest.mark.sge, pytest.mark.django_db]


def running_in_qstat(jobid):
    return any(j.jobid == str(jobid) and j.raw_state == "r" for j in sgecli.qstat_jobs())


def test_old_exit_code_of_a_listed_job_decides(sge_service, report, tmp_path):
    flag = tmp_path / "go"
    job = make_plugin_job(report, f'echo 3 > "$ION_JOB_EXITCODE_FILE"; while [ ! -e {flag} ]; do sleep 0.2; done')
    try:
        sge_service.run_once()
        code_file = Path(sge_service.kinds[0].exitcode_file(fresh(job)))
        drive(sge_service, lambda: fresh(job).state == JobState.STARTED and code_file.exists(), timeout=60,
              what="Started, exit code written")
        jobid = fresh(job).grid_engine_jobid
        for _ in range(3):  # written just now: the scheduler's word stands
            sge_service.poll()
        assert fresh(job).state == JobState.STARTED
        old = time.time() - EXIT_REPORT_GRACE - 5
        os.utime(code_file, (old, old))
        sge_service.poll()
        row = fresh(job)
        assert (row.state, row.exit_code) == (JobState.ERROR, 3)
        assert "not yet reported" in row.message
        assert running_in_qstat(jobid), "it must have been settled while Grid Engine still lists it"
    finally:
        flag.touch()
