"""The job service on the real Grid Engine, driven in this process (DRMAA session here):
holds as Grid Engine shows them, jobs in error state, held orphans, stopping queued jobs.
Marked `sge`: skipped without Grid Engine outside CI, failing in CI."""
import shutil

import pytest

from jobservice_support import drive, fresh, make_analysis_job, make_plugin_job, report, sge_service  # noqa: F401
from rundb.models import JobState, PluginResultJob
from sge.backends import sgecli
from sge.backends.bare_qsub import submit_with_qsub

pytestmark = [pytest.mark.sge, pytest.mark.django_db]


def listed(service):
    return {j.jobid: j for j in sgecli.qstat_jobs() if service.naming.parse(j.name)}


def test_runs_to_completed_and_holds_show_in_qstat(sge_service, report, tmp_path):
    flag = tmp_path / "go"
    parent = make_plugin_job(report, f"while [ ! -e {flag} ]; do sleep 0.2; done")
    child = make_plugin_job(report, "echo child ran", depends_on=[parent])
    sge_service.run_once()
    pid, cid = fresh(parent).grid_engine_jobid, fresh(child).grid_engine_jobid
    detail = sgecli.qstat_job_detail(cid)
    assert detail["job_name"] == sge_service.naming.name(sge_service.kinds[0], child.pk)
    assert detail["jid_predecessor_list"] == str(pid)
    drive(sge_service, lambda: fresh(parent).state == JobState.STARTED, what="parent Started")
    assert listed(sge_service)[str(cid)].raw_state == "hqw"
    flag.touch()
    drive(sge_service, lambda: fresh(child).state == JobState.COMPLETED, timeout=60, what="child Completed")
    assert fresh(parent).state == JobState.COMPLETED and fresh(child).exit_code == 0
    assert "child ran" in open(fresh(child).stdout_path).read()


def test_failure_gives_error_with_exit_code(sge_service, report):
    job = make_analysis_job(report, "echo failing >&2; exit 7")
    drive(sge_service, lambda: fresh(job).state in JobState.FINAL, timeout=60, what="final")
    assert (fresh(job).state, fresh(job).exit_code) == (JobState.ERROR, 7)
    assert "failing" in open(fresh(job).stdout_path).read()


def test_job_in_error_state_becomes_error_and_leaves_the_queue(sge_service, report, tmp_path):
    flag = tmp_path / "go"
    parent = make_plugin_job(report, f"while [ ! -e {flag} ]; do sleep 0.2; done")
    child = make_plugin_job(report, "true", depends_on=[parent])
    sge_service.run_once()
    cid = str(fresh(child).grid_engine_jobid)
    shutil.rmtree(fresh(child).work_dir)  # its working directory is gone when it is dispatched: Eqw
    flag.touch()
    drive(sge_service, lambda: fresh(child).state in JobState.FINAL, timeout=60, what="child final")
    assert fresh(child).state == JobState.ERROR
    drive(sge_service, lambda: cid not in listed(sge_service), timeout=30, what="child gone from qstat")


def test_held_orphan_submitted_by_qsub_is_adopted(sge_service, report):
    job = make_plugin_job(report, "echo adopted")
    name = sge_service.naming.name(sge_service.kinds[0], job.pk)
    code_file = sge_service.kinds[0].exitcode_file(job)
    jid = submit_with_qsub(job.script_path, job_name=name, stdout_path=job.stdout_path, work_dir=job.work_dir,
                           env={"ION_JOB_EXITCODE_FILE": code_file}, hold=True, wrap_exitcode=True)
    assert listed(sge_service)[jid].raw_state == "hqw"
    counts = sge_service.run_once()["reconciled"]
    assert (counts["adopted"], counts["released"]) == (1, 1)
    drive(sge_service, lambda: fresh(job).state == JobState.COMPLETED, timeout=60, what="Completed")
    assert str(fresh(job).grid_engine_jobid) == jid
    assert open(job.stdout_path).read().count("adopted") == 1


def test_stop_queued_job_deletes_it(sge_service, report, tmp_path):
    parent = make_plugin_job(report, f"while [ ! -e {tmp_path / 'never'} ]; do sleep 0.2; done")
    child = make_plugin_job(report, "true", depends_on=[parent])
    sge_service.run_once()
    ids = [str(fresh(j).grid_engine_jobid) for j in (parent, child)]
    PluginResultJob.objects.filter(pk__in=[parent.pk, child.pk]).update(cancel_requested=True)
    sge_service.tick()
    assert [fresh(j).state for j in (parent, child)] == [JobState.CANCELLED] * 2
    drive(sge_service, lambda: not set(ids) & set(listed(sge_service)), timeout=30, what="jobs gone")


def test_stale_result_of_a_reused_job_number_is_ignored(sge_service, report):
    # Job numbers start again when the cluster is re-created; the backend's store may still
    # hold results of the old jobs with those numbers.
    from sge.backends.base import FAILED, JobStatus

    first = make_analysis_job(report, "sleep 30")
    sge_service.run_once()
    n = fresh(first).grid_engine_jobid
    store = sge_service.backend.store
    for jid in range(n + 1, n + 30):
        store.save_status(jid, JobStatus(FAILED, 99, "stale result", "record"))
    job = make_analysis_job(report, "exit 0")
    sge_service.run_once()
    assert n < fresh(job).grid_engine_jobid < n + 30
    drive(sge_service, lambda: fresh(job).state in JobState.FINAL, timeout=60, what="final")
    assert (fresh(job).state, fresh(job).exit_code) == (JobState.COMPLETED, 0)
