"""Local backend: how a job's exit status becomes its row's final state."""
import pytest

from jobservice_support import drive, fresh, local_service, make_analysis_job, make_plugin_job, report  # noqa: F401
from rundb.models import JobState

pytestmark = pytest.mark.django_db


def finished(job):
    return lambda: fresh(job).state in JobState.FINAL


def test_nonzero_exit_is_error_with_code_and_reason(local_service, report):
    job = make_plugin_job(report, "echo 'Traceback: boom' >&2; exit 3")
    drive(local_service, finished(job), what="final state")
    job = fresh(job)
    assert (job.state, job.exit_code) == (JobState.ERROR, 3)
    assert "exit code 3" in job.message
    assert "Traceback: boom" in open(job.stdout_path).read()  # stderr joined into stdout


def test_plugin_launch_script_codes_map_to_its_states(local_service, report):
    # The plugin launch script exits 124 after SIGUSR1 (Timed Out) and 143 after TERM (Cancelled).
    timed = make_plugin_job(report, "exit 124")
    termed = make_plugin_job(report, "exit 143")
    drive(local_service, lambda: all(fresh(j).state in JobState.FINAL for j in (timed, termed)), what="final")
    assert (fresh(timed).state, fresh(timed).exit_code) == (JobState.TIMED_OUT, 124)
    assert (fresh(termed).state, fresh(termed).exit_code) == (JobState.CANCELLED, 143)


def test_analysis_exit_124_is_plain_error(local_service, report):
    job = make_analysis_job(report, "exit 124")
    drive(local_service, finished(job), what="final state")
    assert (fresh(job).state, fresh(job).exit_code) == (JobState.ERROR, 124)


def test_killed_job_is_error_with_signal_code(local_service, report):
    job = make_analysis_job(report, "kill -KILL $$")
    drive(local_service, finished(job), what="final state")
    job = fresh(job)
    assert job.state == JobState.ERROR and job.exit_code == 137
