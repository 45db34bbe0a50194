"""`manage.py jobservice`: --once with the local backend, refused arguments, one service per
database."""
import os

import pytest
from django.core.management import CommandError, call_command

from jobservice_support import fresh, make_plugin_job, report  # noqa: F401
from rundb.models import JobState
from sge.backends.local import LocalBackend
from sge.service import JobService, ServiceAlreadyRunning

pytestmark = pytest.mark.django_db


@pytest.fixture
def state_dir(tmp_path, settings):
    path = tmp_path / "jobstate"
    settings.ION_JOB_STATE_DIR = str(path)
    settings.ION_JOB_NAME_PREFIX = "cmd" + os.urandom(3).hex()
    return path


def test_once_submits_queued_rows(report, state_dir):
    job = make_plugin_job(report, "true")
    call_command("jobservice", "--backend", "local", "--once", verbosity=0)
    job = fresh(job)
    assert job.grid_engine_jobid is not None and job.state in (JobState.QUEUED, JobState.STARTED)
    LocalBackend(state_dir=state_dir).wait(job.grid_engine_jobid, timeout=20)
    call_command("jobservice", "--backend", "local", "--once", verbosity=0)
    assert fresh(job).state == JobState.COMPLETED


def test_unknown_backend_is_refused(settings, state_dir):
    settings.ION_JOB_BACKEND = "slurm"
    with pytest.raises(CommandError, match="unknown job backend 'slurm'"):
        call_command("jobservice", "--once")


def test_bad_setting_is_a_clear_error(state_dir, settings):
    settings.ION_JOB_DB_POLL = "fast"
    with pytest.raises(CommandError, match="ION_JOB_DB_POLL"):
        call_command("jobservice", "--backend", "local", "--once")


def test_second_service_on_same_database_is_refused(state_dir):
    backend = LocalBackend(state_dir=state_dir)
    first = JobService(backend)
    first.acquire_lock(state_dir)
    try:
        with pytest.raises(ServiceAlreadyRunning, match="already drives this database"):
            JobService(backend).acquire_lock(state_dir)
        with pytest.raises(CommandError, match="already drives this database"):
            call_command("jobservice", "--backend", "local", "--once")
    finally:
        first.release_lock()
    again = JobService(backend)
    again.acquire_lock(state_dir)
    again.release_lock()
