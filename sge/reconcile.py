"""Reconciliation of the database with the scheduler's job list (at start-up and every
ION_JOB_RECONCILE_INTERVAL s). Only jobs named <prefix>_<tag>_<pk> (ours) are touched.

For each of our jobs the scheduler lists:
  * row gone                                   -> delete the job;
  * row has no grid id (the service died between submit and storing the id; the job is
    still held, it never ran):
      - row Queued, not cancelled              -> adopt the lowest job id, delete the others;
      - otherwise                              -> delete;
  * row has another grid id                    -> duplicate: delete;
  * row Cancelled / Timed Out                  -> the earlier delete failed: delete again;
  * row active and the job is on user hold     -> the service died between storing the id
                                                  and releasing: release.
Rows whose job the scheduler no longer lists are settled by the poller through the exit-code
file and qacct (poll.py), so nothing stays Started forever.
"""
from __future__ import annotations

import logging

from rundb.jobstates import JobState, RunnerState

from .backends.base import JobError
from .transitions import move

log = logging.getLogger("sge.service")

KILL_STATES = (JobState.CANCELLED, JobState.TIMED_OUT)


class Reconciler:
    def __init__(self, backend, naming):
        self.backend = backend
        self.naming = naming

    def run(self, kinds) -> dict:
        """One reconciliation; returns counts of what it did (for logs and tests)."""
        counts = {"adopted": 0, "deleted": 0, "released": 0}
        try:
            listing = self.backend.list_jobs()
        except JobError as exc:
            log.warning("reconciliation skipped: cannot list jobs: %s", exc)
            return counts
        ours = {}
        for job in listing:
            parsed = self.naming.parse(job.name)
            if parsed is not None:
                ours.setdefault((parsed[0].tag, parsed[1]), []).append(job)
        for kind in kinds:
            pks = [pk for tag, pk in ours if tag == kind.tag]
            rows = {r.pk: r for r in kind.model.objects.filter(pk__in=pks)}
            for pk in pks:
                jobs = sorted(ours[(kind.tag, pk)], key=lambda j: int(j.jobid))
                try:
                    self._settle(kind, rows.get(pk), jobs, counts)
                except Exception:
                    log.exception("reconciling %s %s", kind.tag, pk)
        if any(counts.values()):
            log.info("reconciliation: %s", counts)
        return counts

    def _settle(self, kind, row, jobs, counts):
        if row is None:
            for job in jobs:
                self._delete(job, f"its {kind.tag} row no longer exists", counts)
            return
        if row.grid_engine_jobid is None:
            if row.state == JobState.QUEUED and not row.cancel_requested:
                keep, extra = jobs[0], jobs[1:]
                adopted = kind.model.objects.filter(
                    pk=row.pk, state=JobState.QUEUED, grid_engine_jobid__isnull=True, cancel_requested=False,
                ).update(grid_engine_jobid=int(keep.jobid))
                if adopted:
                    counts["adopted"] += 1
                    log.info("adopted orphan job %s for %s %s", keep.jobid, kind.tag, row.pk)
                    self._release_if_user_held(kind, row.pk, keep.jobid, counts)
                else:
                    extra = jobs
            else:
                extra = jobs
            for job in extra:
                self._delete(job, f"{kind.tag} {row.pk} is {row.state} without it", counts)
            return
        for job in jobs:
            if int(job.jobid) != row.grid_engine_jobid:
                self._delete(job, f"duplicate of job {row.grid_engine_jobid} for {kind.tag} {row.pk}", counts)
            elif row.state in KILL_STATES:
                self._delete(job, f"{kind.tag} {row.pk} is {row.state}", counts)
            elif row.state in JobState.ACTIVE and job.state == RunnerState.HELD:
                self._release_if_user_held(kind, row.pk, job.jobid, counts)

    def _release_if_user_held(self, kind, pk, jobid, counts):
        try:
            st = self.backend.status(jobid)
        except JobError:
            return
        if st.state == RunnerState.HELD and "user" in st.reason:
            try:
                self.backend.release(jobid)
                counts["released"] += 1
                log.info("released held job %s of %s %s", jobid, kind.tag, pk)
            except JobError as exc:
                log.warning("cannot release job %s: %s", jobid, exc)

    def _delete(self, job, why, counts):
        log.warning("deleting grid job %s (%s): %s", job.jobid, job.name, why)
        try:
            self.backend.terminate(job.jobid)
            counts["deleted"] += 1
        except JobError as exc:
            log.warning("cannot delete job %s: %s", job.jobid, exc)


def settle_unsubmitted_started(kinds, grace_seconds) -> int:
    """Started rows with no grid id (a script run by hand, or a lost row): after the grace
    period nothing will ever finish them, so they become Error."""
    from datetime import timedelta

    from django.utils import timezone

    n = 0
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    for kind in kinds:
        stale = kind.model.objects.filter(state=JobState.STARTED, grid_engine_jobid__isnull=True,
                                          starttime__lt=cutoff).values_list("pk", flat=True)
        for pk in stale:
            n += move(kind, pk, JobState.ERROR, message="started without a grid job; nothing tracks it")
    return n
