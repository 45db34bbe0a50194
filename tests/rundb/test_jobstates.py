"""One job-state vocabulary (rundb/jobstates.py): the runner's states, the rows' and API's states,
and the single mapping between them that the job service applies."""
import pytest

from rundb.jobstates import (ACTIVE_JOB_STATES, FAILED_VALIDATION, FINAL_JOB_STATES, JOB_STATES, JobState,
                             RunnerState, job_state_for, plugin_state_from_jobs)


@pytest.mark.parametrize("runner, cancelled, expected", [
    (RunnerState.QUEUED, False, JobState.QUEUED),
    (RunnerState.HELD, True, JobState.QUEUED),  # a cancel is applied when the runner says so
    (RunnerState.RUNNING, False, JobState.STARTED),
    (RunnerState.DONE, False, JobState.COMPLETED),
    (RunnerState.DONE, True, JobState.COMPLETED),  # it finished before the cancel reached it
    (RunnerState.FAILED, False, JobState.ERROR),
    (RunnerState.FAILED, True, JobState.CANCELLED),
    (RunnerState.UNKNOWN, False, JobState.ERROR),
    (RunnerState.UNKNOWN, True, JobState.CANCELLED),
])
def test_runner_state_to_job_state(runner, cancelled, expected):
    assert job_state_for(runner, cancelled=cancelled) == expected


def test_a_kind_reads_its_failures_but_a_cancel_wins():
    assert job_state_for(RunnerState.FAILED, failed=JobState.TIMED_OUT) == JobState.TIMED_OUT
    assert job_state_for(RunnerState.FAILED, cancelled=True, failed=JobState.TIMED_OUT) == JobState.CANCELLED


def test_every_runner_state_is_mapped_and_nothing_else():
    assert {job_state_for(s) for s in RunnerState.ALL} <= set(JobState.RANK)
    with pytest.raises(ValueError, match="not a runner state: 'Queued'"):
        job_state_for("Queued")


def test_the_api_vocabulary_contains_the_services():
    assert set(JobState.ACTIVE) <= ACTIVE_JOB_STATES and set(JobState.FINAL) <= FINAL_JOB_STATES
    assert not ACTIVE_JOB_STATES & FINAL_JOB_STATES and JOB_STATES == ACTIVE_JOB_STATES | FINAL_JOB_STATES
    assert set(JobState.RANK) == set(JobState.ACTIVE) | set(JobState.FINAL)


def test_the_runner_and_the_models_use_these_names():
    from rundb.models import JobState as ModelJobState
    from sge.backends import base

    assert ModelJobState is JobState
    assert base.STATES == RunnerState.ALL and base.TERMINAL_STATES == RunnerState.TERMINAL
    assert (base.QUEUED, base.HELD, base.RUNNING, base.DONE, base.FAILED, base.UNKNOWN) == RunnerState.ALL


def test_plugin_run_state_from_its_jobs():
    assert plugin_state_from_jobs({"validation_errors": ["bad"]}, [(1, JobState.COMPLETED, 5)]) == FAILED_VALIDATION
    assert plugin_state_from_jobs({}, []) == JobState.UNKNOWN
    # Not-yet-started jobs count as newest; among started ones the latest start wins.
    assert plugin_state_from_jobs(None, [(1, JobState.COMPLETED, 5), (2, JobState.QUEUED, None)]) == JobState.QUEUED
    assert plugin_state_from_jobs(None, [(3, JobState.ERROR, 4), (2, JobState.COMPLETED, 9)]) == JobState.COMPLETED
