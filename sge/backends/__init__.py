"""Job backends used by the job service.

    from sge.backends import get_backend
    backend = get_backend()          # settings.ION_JOB_BACKEND: sge|local (default local)
    jid = backend.submit(script, job_name="ts_12", stdout_path=..., work_dir=...,
                         hold_jids=["41"], hold=True)   # submit on hold,
    ...store jid in the DB...                           # persist the id,
    backend.release(jid)                                # then release.
    backend.status(jid)  -> JobStatus(state, exit_code, reason, source, cancelled)

States: queued, held, running, done, failed, unknown (see base.py, which also
defines the exit-code file convention shared by both backends).
"""
from django.conf import settings

from .base import (DONE, EXITCODE_ENV, FAILED, HELD, QUEUED, RUNNING, STATES, UNKNOWN, Backend,
                   InvalidJobName, JobError, JobListing, JobStatus, SchedulerUnreachable, exitcode_path)

BACKENDS = ("sge", "local")


def get_backend(name: str | None = None, **kwargs) -> Backend:
    """The backend named *name* (default: settings.ION_JOB_BACKEND, else "local")."""
    name = (name or settings.ION_JOB_BACKEND or "local").strip().lower()
    if name in ("sge", "drmaa"):
        from .drmaa_backend import DrmaaBackend
        return DrmaaBackend(**kwargs)
    if name == "local":
        from .local import LocalBackend
        return LocalBackend(**kwargs)
    raise JobError(f"unknown job backend {name!r}; expected one of {', '.join(BACKENDS)}")


__all__ = ["get_backend", "Backend", "JobStatus", "JobListing", "JobError", "InvalidJobName", "SchedulerUnreachable",
           "exitcode_path", "EXITCODE_ENV", "STATES", "QUEUED", "HELD", "RUNNING", "DONE",
           "FAILED", "UNKNOWN"]
