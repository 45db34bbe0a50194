"""Local backend: `depends_on` becomes hold_jids; dependants wait for, but do not share the
fate of, their dependencies (holds only order jobs: a failed or cancelled dependency does
not cancel its dependants, as with Grid Engine's -hold_jid and in the original)."""
import pytest

from jobservice_support import drive, fresh, local_service, make_plugin_job, report  # noqa: F401
from rundb.models import JobState

pytestmark = pytest.mark.django_db


def holds_of(service, job):
    return service.backend.store.record(fresh(job).grid_engine_jobid)["hold_jids"]


def test_dependant_holds_on_parent_and_runs_after_it(local_service, report, tmp_path):
    flag = tmp_path / "go"
    parent = make_plugin_job(report, f"while [ ! -e {flag} ]; do sleep 0.1; done; date +%s.%N")
    child = make_plugin_job(report, "date +%s.%N", depends_on=[parent])
    local_service.run_once()
    assert holds_of(local_service, child) == [str(fresh(parent).grid_engine_jobid)]
    drive(local_service, lambda: fresh(parent).state == JobState.STARTED, what="parent Started")
    for _ in range(5):
        local_service.tick()
    assert fresh(child).state == JobState.QUEUED  # held while the parent runs
    flag.touch()
    drive(local_service, lambda: fresh(child).state == JobState.COMPLETED, what="child Completed")
    parent_end = float(open(fresh(parent).stdout_path).read().split()[-1])
    child_start = float(open(fresh(child).stdout_path).read().split()[-1])
    assert child_start >= parent_end


def test_dependant_of_failed_parent_still_runs(local_service, report):
    parent = make_plugin_job(report, "exit 2")
    child = make_plugin_job(report, "echo ran", depends_on=[parent])
    drive(local_service, lambda: fresh(child).state in JobState.FINAL, what="child final")
    assert (fresh(parent).state, fresh(child).state) == (JobState.ERROR, JobState.COMPLETED)


def test_dependant_of_cancelled_parent_still_runs(local_service, report):
    parent = make_plugin_job(report, "sleep 30")
    child = make_plugin_job(report, "echo ran", depends_on=[parent])
    type(parent).objects.filter(pk=parent.pk).update(cancel_requested=True)
    drive(local_service, lambda: fresh(child).state in JobState.FINAL, what="child final")
    assert fresh(parent).state == JobState.CANCELLED and fresh(parent).grid_engine_jobid is None
    assert fresh(child).state == JobState.COMPLETED
    assert holds_of(local_service, child) == []


def test_final_dependency_gives_no_hold(local_service, report):
    parent = make_plugin_job(report, "true")
    type(parent).objects.filter(pk=parent.pk).update(state=JobState.COMPLETED)
    child = make_plugin_job(report, "true", depends_on=[parent])
    local_service.run_once()
    assert holds_of(local_service, child) == []


def test_dependant_waits_until_parent_is_submitted(local_service, report):
    parent = make_plugin_job(report, "true")
    child = make_plugin_job(report, "true", depends_on=[parent])
    script = parent.script_path
    type(parent).objects.filter(pk=parent.pk).update(script_path="")  # still being written
    local_service.run_once()
    assert fresh(child).grid_engine_jobid is None
    type(parent).objects.filter(pk=parent.pk).update(script_path=script)
    local_service.run_once()
    assert holds_of(local_service, child) == [str(fresh(parent).grid_engine_jobid)]
