"""Local backend: a Queued row is submitted on hold under its job name, its id stored, then
released; it ends Completed with exit code 0 and its output in stdout_path."""
import pytest

from jobservice_support import drive, fresh, local_service, make_analysis_job, make_plugin_job, report  # noqa: F401
from rundb.models import JobState

pytestmark = pytest.mark.django_db


def test_plugin_job_runs_to_completed(local_service, report):
    job = make_plugin_job(report, 'echo "hello from $JOB_NAME"; echo "code file: $ION_JOB_EXITCODE_FILE"')
    local_service.run_once()
    job = fresh(job)
    assert job.grid_engine_jobid is not None and job.submitted_at is not None
    drive(local_service, lambda: fresh(job).state == JobState.COMPLETED, what="Completed")
    job = fresh(job)
    assert job.exit_code == 0 and job.starttime is not None and job.endtime is not None
    name = local_service.naming.name(local_service.kinds[0], job.pk)
    out = open(job.stdout_path).read()
    assert f"hello from {name}" in out
    code_file = f"{job.work_dir}/plugin_Svc_{job.pk}.exitcode"
    assert f"code file: {code_file}" in out
    assert open(code_file).read().strip() == "0"


def test_analysis_job_runs_to_completed(local_service, report):
    job = make_analysis_job(report, "echo analysing; exit 0")
    drive(local_service, lambda: fresh(job).state == JobState.COMPLETED, what="Completed")
    assert "analysing" in open(fresh(job).stdout_path).read()
    assert fresh(job).exit_code == 0


def test_job_name_is_prefix_tag_pk(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    local_service.run_once()
    listed = {j.jobid: j.name for j in local_service.backend.list_jobs()}
    assert listed[str(fresh(job).grid_engine_jobid)] == f"{local_service.naming.prefix}_prj_{job.pk}"


def test_row_without_script_file_is_error(local_service, report):
    job = make_plugin_job(report, "true")
    import os
    os.unlink(job.script_path)
    local_service.run_once()
    job = fresh(job)
    assert job.state == JobState.ERROR and "job script not found" in job.message
    assert job.grid_engine_jobid is None


def test_many_jobs_polled_from_one_listing(local_service, report):
    # Above LISTING_THRESHOLD submitted jobs, one listing per pass replaces per-job calls.
    from sge.poll import LISTING_THRESHOLD

    n = LISTING_THRESHOLD + 4
    local_service.backend.slots = n
    jobs = [make_plugin_job(report, f"sleep 1; exit {i % 3}") for i in range(n)]
    local_service.run_once()
    assert len({fresh(j).grid_engine_jobid for j in jobs}) == n
    drive(local_service, lambda: all(fresh(j).state in JobState.FINAL for j in jobs), timeout=60, what="all final")
    assert [(fresh(j).state, fresh(j).exit_code) for j in jobs] == [
        (JobState.COMPLETED if i % 3 == 0 else JobState.ERROR, i % 3) for i in range(n)]
