"""Fixtures for the job backend tests (tests/sge/)."""
import uuid

import pytest


from sgeutil import make_script, require_sge  # noqa: E402


class JobDir:
    """A scratch job folder plus a unique job-name prefix for one test."""

    def __init__(self, path):
        self.path = path
        self.prefix = "t" + uuid.uuid4().hex[:8]

    def script(self, name, body):
        return make_script(self.path, f"{name}.sh", body)

    def submit_args(self, name):
        """job_name / stdout_path / work_dir for a job called *name*."""
        return {"job_name": f"{self.prefix}_{name}", "stdout_path": str(self.path / f"{name}.out"),
                "work_dir": str(self.path)}

    def output(self, name):
        p = self.path / f"{name}.out"
        return p.read_text() if p.exists() else ""

    def exitcode_file(self, name):
        return self.path / f"{self.prefix}_{name}.exitcode"


@pytest.fixture
def jobdir(tmp_path):
    d = tmp_path / "job"
    d.mkdir()
    return JobDir(d)


def _cleanup(backend, prefix=None):
    """Terminate what a test left queued or running (all of a private local store)."""
    for job in backend.list_jobs():
        if prefix is None or job.name.startswith(prefix):
            try:
                backend.terminate(job.jobid)
            except Exception:  # already gone
                pass


@pytest.fixture
def local_backend(tmp_path, jobdir):
    from sge.backends.local import LocalBackend
    backend = LocalBackend(state_dir=tmp_path / "state", term_grace=3.0)
    yield backend
    _cleanup(backend)
    backend.close()


@pytest.fixture
def sge_available():
    require_sge()


@pytest.fixture
def drmaa_backend(sge_available, tmp_path, jobdir):
    from sge.backends.drmaa_backend import DrmaaBackend
    backend = DrmaaBackend(state_dir=tmp_path / "state")
    yield backend
    _cleanup(backend, jobdir.prefix)
    backend.close()
