"""Stop requests: rows with cancel_requested set (by `pluginresult/<pk>/stop/` through
plugin.services.pluginresults.request_stop, or request_cancel below) end in Cancelled.

A row never submitted is simply Cancelled. A submitted one is deleted from the scheduler
first (DRMAA TERMINATE / local SIGTERM), then marked Cancelled. If deleting fails the row is
still Cancelled, with the reason in its message, and reconciliation keeps deleting grid jobs
whose rows are Cancelled.
"""
from __future__ import annotations

import logging

from rundb.jobstates import JobState

from .backends.base import JobError
from .transitions import move

log = logging.getLogger("sge.service")


def request_cancel(model, pks) -> int:
    """Ask the job service to stop rows *pks* of *model*; returns how many were still active."""
    return model.objects.filter(pk__in=list(pks), state__in=JobState.ACTIVE).update(cancel_requested=True)


class Canceller:
    def __init__(self, backend):
        self.backend = backend

    def run(self, kinds) -> int:
        n = 0
        for kind in kinds:
            rows = kind.model.objects.filter(cancel_requested=True, state__in=JobState.ACTIVE).only(
                "pk", "state", "grid_engine_jobid")
            for row in rows:
                try:
                    n += self.cancel_row(kind, row)
                except Exception:
                    log.exception("cancelling %s %s", kind.tag, row.pk)
        return n

    def cancel_row(self, kind, row) -> int:
        if row.grid_engine_jobid is None:
            return int(move(kind, row.pk, JobState.CANCELLED, message="cancelled before submission"))
        message = "cancelled by request"
        try:
            self.backend.terminate(row.grid_engine_jobid)
        except JobError as exc:
            message = f"cancelled by request; deleting grid job {row.grid_engine_jobid} failed: {exc}"
            log.warning("%s", message)
        return int(move(kind, row.pk, JobState.CANCELLED, message=message))
