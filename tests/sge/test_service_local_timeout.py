"""Local backend: a Started job running longer than ION_JOB_TIMEOUT becomes Timed Out and is
killed; the state is written before the kill so the job's own TERM report cannot win."""
import pytest

from jobservice_support import drive, fresh, local_service, make_plugin_job, report  # noqa: F401
from rundb.models import JobState

pytestmark = pytest.mark.django_db


def test_wall_clock_limit(local_service, report):
    local_service.config.timeout = 1.0
    # Reports Cancelled on TERM, like the plugin launch script does.
    job = make_plugin_job(report, "trap 'exit 143' TERM; sleep 60 & wait")
    drive(local_service, lambda: fresh(job).state in JobState.FINAL, timeout=30, what="final state")
    job = fresh(job)
    assert job.state == JobState.TIMED_OUT and "1 s limit" in job.message
    drive(local_service, lambda: not local_service.backend.list_jobs(), what="job gone")


def test_no_limit_when_zero(local_service, report):
    local_service.config.timeout = 0
    job = make_plugin_job(report, "sleep 1.5")
    drive(local_service, lambda: fresh(job).state in JobState.FINAL, what="final state")
    assert fresh(job).state == JobState.COMPLETED
