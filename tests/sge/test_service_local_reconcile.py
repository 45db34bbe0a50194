"""Local backend: reconciliation of rows with the backend's job list, and what a (re)started
service makes of jobs that ran or ended while no service was watching."""
import pytest
from django.utils import timezone

from jobservice_support import drive, fresh, local_service, make_plugin_job, report  # noqa: F401
from rundb.models import JobState, PluginResultJob

pytestmark = pytest.mark.django_db


def submit_directly(service, job, *, hold=True, name=None):
    """What a service that crashed mid-way would have left behind: a job under the row's name."""
    kind = service.kinds[0]
    return service.backend.submit(
        job.script_path, job_name=name or service.naming.name(kind, job.pk), stdout_path=job.stdout_path,
        work_dir=job.work_dir, env={"ION_JOB_EXITCODE_FILE": kind.exitcode_file(job)}, hold=hold)


def our_jobs(service):
    return sorted(j.jobid for j in service.backend.list_jobs() if service.naming.parse(j.name))


def test_orphan_of_crash_before_storing_id_is_adopted_not_duplicated(local_service, report):
    job = make_plugin_job(report, "echo once >> count.txt")
    orphan = submit_directly(local_service, job)  # held, id never stored
    counts = local_service.run_once()["reconciled"]
    assert counts["adopted"] == 1 and counts["released"] == 1
    assert str(fresh(job).grid_engine_jobid) == orphan
    drive(local_service, lambda: fresh(job).state == JobState.COMPLETED, what="Completed")
    assert (fresh(job).state, open(f"{job.work_dir}/count.txt").read()) == (JobState.COMPLETED, "once\n")


def test_two_orphans_keep_the_lowest_id(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    first, second = submit_directly(local_service, job), submit_directly(local_service, job)
    counts = local_service.reconcile()
    assert (counts["adopted"], counts["deleted"]) == (1, 1)
    assert str(fresh(job).grid_engine_jobid) == first
    drive(local_service, lambda: our_jobs(local_service) == [first], what="duplicate gone")


def test_job_of_deleted_row_is_deleted(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    jid = submit_directly(local_service, job, hold=False)
    PluginResultJob.objects.filter(pk=job.pk).delete()
    assert local_service.reconcile()["deleted"] == 1
    drive(local_service, lambda: jid not in our_jobs(local_service), what="job gone")


def test_duplicate_of_stored_job_is_deleted(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    local_service.run_once()
    stored = str(fresh(job).grid_engine_jobid)
    dup = submit_directly(local_service, job, hold=False)
    assert local_service.reconcile()["deleted"] == 1
    drive(local_service, lambda: our_jobs(local_service) == [stored], what="duplicate gone")
    assert dup != stored


def test_stored_but_never_released_job_is_released(local_service, report):
    job = make_plugin_job(report, "true")
    jid = submit_directly(local_service, job)  # crash after storing the id, before release
    PluginResultJob.objects.filter(pk=job.pk).update(grid_engine_jobid=int(jid), submitted_at=timezone.now())
    assert local_service.run_once()["reconciled"]["released"] == 1
    drive(local_service, lambda: fresh(job).state == JobState.COMPLETED, what="Completed")


def test_job_of_cancelled_row_still_running_is_deleted(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    jid = submit_directly(local_service, job, hold=False)
    PluginResultJob.objects.filter(pk=job.pk).update(grid_engine_jobid=int(jid), state=JobState.CANCELLED)
    assert local_service.reconcile()["deleted"] == 1
    drive(local_service, lambda: not our_jobs(local_service), what="job gone")


@pytest.mark.parametrize("code, state", [(0, JobState.COMPLETED), (5, JobState.ERROR)])
def test_job_that_ended_while_no_service_ran(local_service, report, code, state):
    job = make_plugin_job(report, f"exit {code}")
    jid = submit_directly(local_service, job, hold=False)
    PluginResultJob.objects.filter(pk=job.pk).update(grid_engine_jobid=int(jid), state=JobState.STARTED,
                                                      starttime=timezone.now())
    local_service.backend.wait(jid, timeout=20)
    local_service.run_once()
    assert (fresh(job).state, fresh(job).exit_code) == (state, code)


def test_job_unknown_everywhere_becomes_error_after_grace(local_service, report):
    job = make_plugin_job(report, "true")
    PluginResultJob.objects.filter(pk=job.pk).update(grid_engine_jobid=987654, state=JobState.STARTED,
                                                      starttime=timezone.now())
    local_service.run_once()
    assert fresh(job).state == JobState.STARTED  # not yet: accounting may lag
    drive(local_service, lambda: fresh(job).state == JobState.ERROR, timeout=10, what="Error")
    assert "lost" in fresh(job).message


def test_started_row_without_grid_job_becomes_error(local_service, report):
    job = make_plugin_job(report, "true")
    old = timezone.now() - timezone.timedelta(seconds=60)
    PluginResultJob.objects.filter(pk=job.pk).update(state=JobState.STARTED, starttime=old)
    assert local_service.reconcile()["errored"] == 1
    assert fresh(job).state == JobState.ERROR


def test_other_installations_jobs_are_left_alone(local_service, report):
    job = make_plugin_job(report, "sleep 30")
    other = submit_directly(local_service, job, name=f"zz{local_service.naming.prefix}_prj_{job.pk}")
    counts = local_service.reconcile()
    assert counts == {"adopted": 0, "deleted": 0, "released": 0, "errored": 0}
    assert other in {j.jobid for j in local_service.backend.list_jobs()}
    local_service.backend.terminate(other)
