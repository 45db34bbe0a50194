"""Polling: the backend's view of each submitted, unfinished job, turned into row states.

    queued / held      -> no change (the row stays Queued)
    running            -> Started (unless the launch script already said so); but a job whose
                          exit-code file was written more than EXIT_REPORT_GRACE s ago has
                          ended, whatever the scheduler still says: settled from that file
    done               -> Completed (exit code 0, from the exit-code file when there is one)
    failed             -> Cancelled if a stop was asked for, else the kind's state for the exit
                          code (plugin jobs: 143 Cancelled, 124 Timed Out, as the launch script
                          reports them), else Error with the exit code and reason
    unknown            -> the job left the scheduler and neither the exit-code file nor qacct
                          says how it ended: Error once that has lasted ION_JOB_LOST_GRACE s.
                          "Scheduler unreachable" never counts towards that.

A Started row older than ION_JOB_TIMEOUT s is marked Timed Out first and then deleted, so the
launch script's TERM trap (which reports Cancelled) cannot win the race.

All changes are forward-only (transitions.move), so a callback from the job and the poller
can both write: whichever is first wins, the other is a no-op.

Cost: with more than LISTING_THRESHOLD submitted jobs, one scheduler listing (qstat) per pass
tells which jobs are still queued/held/running; only the others are asked about one by one.
Rows finished by their job's own callback are asked about once more after the job has left
the scheduler (collects the exit code, lets DRMAA forget the job, runs the final-state hook).
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from rundb.jobstates import JobState, RunnerState, job_state_for

from .backends.base import JobError, JobStatus, read_exitcode, status_from_exitcode
from .transitions import move

log = logging.getLogger("sge.service")

TRACK_LIMIT = 30.0  # s to keep asking about a job whose row was finished by its own callback
LISTING_THRESHOLD = 8  # above this many submitted jobs, one scheduler listing per pass
LIVE_STATES = RunnerState.LIVE
# The exit-code file is a job's last act (the plugin launch script follows it only with its
# final callback, which gives up within ~45 s). A job still listed as running this long after
# writing it has ended and the scheduler has not heard: an execd that reconnected to a
# restarted qmaster holds the ends of DRMAA jobs back for 600 s (sge/setup_gridengine.sh).
EXIT_REPORT_GRACE = 60.0


class Poller:
    def __init__(self, backend, config, between=None):
        self.backend = backend
        self.config = config
        # Called between rows of a long pass, so new submissions and stop requests are not
        # held up while hundreds of jobs are polled (the service passes its quick pass here).
        self.between = between or (lambda: None)
        self._unknown_since = {}  # (tag, pk) -> monotonic time first seen unknown
        self._tracked = {}        # (tag, pk) -> (jobid, exit-code file, monotonic time seen final)
        self._submitted = deque()  # filled by the submission thread, drained by run()

    def track(self, kind, pk, jobid, code_file) -> None:
        """Follow a job just submitted (called from the submission thread): a job whose
        callbacks finish its row before the next pass is still asked about once it ends."""
        self._submitted.append(((kind.tag, pk), (jobid, code_file, None)))

    def adopt_unreaped(self, kinds, *, hours=24, limit=5000) -> int:
        """At start-up: rows that their job's own callback finished while no service ran still
        lack the exit code and the final-state hook; follow them as if just submitted (the
        in-memory list of a killed service is gone). Recent rows only, at most *limit*."""
        since = timezone.now() - timedelta(hours=hours)
        n = 0
        for kind in kinds:
            rows = (kind.rows().filter(state__in=JobState.FINAL, exit_code__isnull=True,
                                       grid_engine_jobid__isnull=False)
                    .filter(Q(endtime__isnull=True) | Q(endtime__gte=since)).order_by("-pk")[:limit])
            for row in rows:
                self._tracked.setdefault((kind.tag, row.pk), (row.grid_engine_jobid, kind.exitcode_file(row), None))
                n += 1
        if n:
            log.info("following %d finished jobs whose exit code was not collected", n)
        return n

    def run(self, kinds) -> int:
        """One pass; returns how many rows changed."""
        while self._submitted:
            key, value = self._submitted.popleft()
            self._tracked.setdefault(key, value)
        batches = [(kind, list(kind.rows().filter(state__in=JobState.ACTIVE, grid_engine_jobid__isnull=False)))
                   for kind in kinds]
        listing = None
        if sum(len(rows) for _, rows in batches) > LISTING_THRESHOLD:
            listing = self._listing()
            self.between()  # the listing can take a while under load
        changed = 0
        for kind, rows in batches:
            changed += self.poll_rows(kind, rows, listing)
        self._reap_finished(kinds, listing)
        return changed

    def _listing(self):
        """{jobid: JobListing} from one scheduler query, or None when that fails."""
        try:
            return {job.jobid: job for job in self.backend.list_jobs()}
        except JobError as exc:
            log.warning("job listing failed (%s); asking job by job", exc)
            return None

    def poll_kind(self, kind) -> int:
        rows = list(kind.rows().filter(state__in=JobState.ACTIVE, grid_engine_jobid__isnull=False))
        return self.poll_rows(kind, rows, None)

    def poll_rows(self, kind, rows, listing) -> int:
        """With *listing*, a job the scheduler lists as queued, held or running costs no call of
        its own (one qstat instead of one DRMAA round trip per job: under load each of those
        takes 10+ ms); jobs that left the listing, or are in an error state, are asked about."""
        changed = 0
        active = set()
        for row in rows:
            self.between()
            key = (kind.tag, row.pk)
            active.add(key)
            code_file = kind.exitcode_file(row)
            self._tracked[key] = (row.grid_engine_jobid, code_file, None)
            try:
                if self._timed_out(kind, row):
                    changed += 1
                    continue
                listed = listing.get(str(row.grid_engine_jobid)) if listing is not None else None
                if listed is not None and listed.state in RunnerState.LIVE:
                    st = JobStatus(listed.state, None, "", "scheduler")
                else:
                    st = self.backend.status(row.grid_engine_jobid, exitcode_file=code_file)
                if st.state == RunnerState.RUNNING:
                    st = ended_unreported(code_file) or st
                changed += self.apply(kind, row, st)
            except JobError as exc:
                log.warning("status of %s %s (job %s): %s", kind.tag, row.pk, row.grid_engine_jobid, exc)
            except Exception:
                log.exception("polling %s %s", kind.tag, row.pk)
        for key in [k for k in self._unknown_since if k[0] == kind.tag and k not in active]:
            del self._unknown_since[key]
        return changed

    def apply(self, kind, row, st) -> int:
        """Record backend status *st* for *row*; returns 1 when the row changed."""
        key = (kind.tag, row.pk)
        if st.state != RunnerState.UNKNOWN:
            self._unknown_since.pop(key, None)
        state = job_state_for(st.state, cancelled=st.cancelled or row.cancel_requested,
                              failed=kind.state_for_exit(st.exit_code))
        if st.state == RunnerState.RUNNING:
            return int(row.state == JobState.QUEUED and move(kind, row.pk, state))
        if st.state == RunnerState.DONE:
            return self._finish(kind, row, state, st, "")
        if st.state == RunnerState.FAILED:
            changed = self._finish(kind, row, state, st, st.reason)
            if changed and st.exit_code is None and st.source == "scheduler":
                self._remove(row.grid_engine_jobid)  # e.g. Eqw: it would sit in the queue forever
            return changed
        if st.state == RunnerState.UNKNOWN and st.source != "scheduler":
            first = self._unknown_since.setdefault(key, time.monotonic())
            if time.monotonic() - first >= self.config.lost_grace:
                self._unknown_since.pop(key, None)
                return int(move(kind, row.pk, state, message=f"job {row.grid_engine_jobid} lost: {st.reason}"))
        return 0

    def _finish(self, kind, row, state, st, message) -> int:
        if not move(kind, row.pk, state, exit_code=st.exit_code, message=message):
            return 0
        self._tracked.pop((kind.tag, row.pk), None)  # settled here, final hook already ran
        if st.exit_code is not None:
            # It ran, but ended before any poll or callback saw it running: the end time is
            # the best start time we have (a separate UPDATE never overwrites a real one).
            kind.model.objects.filter(pk=row.pk, starttime__isnull=True).update(starttime=F("endtime"))
        return 1

    def _remove(self, jobid) -> None:
        try:
            self.backend.terminate(jobid)
        except JobError as exc:
            log.warning("deleting job %s: %s", jobid, exc)

    def _timed_out(self, kind, row) -> bool:
        limit = self.config.timeout
        if not limit or row.state != JobState.STARTED or row.starttime is None:
            return False
        if (timezone.now() - row.starttime).total_seconds() <= limit:
            return False
        if move(kind, row.pk, JobState.TIMED_OUT, message=f"ran longer than the {limit:g} s limit"):
            try:
                self.backend.terminate(row.grid_engine_jobid)
            except JobError as exc:  # reconciliation deletes leftovers of Timed Out rows
                log.warning("deleting timed-out job %s: %s", row.grid_engine_jobid, exc)
            return True
        return False

    def _reap_finished(self, kinds, listing=None):
        """Ask once more about jobs whose rows were finished by their own callbacks: a DRMAA
        session keeps finished jobs until their status is collected, and this also fills in
        the exit code the callback did not send."""
        now = time.monotonic()
        by_tag = {k.tag: k for k in kinds}
        active_keys = set()
        for kind in kinds:
            pks = [pk for tag, pk in self._tracked if tag == kind.tag]
            if pks:
                still = kind.model.objects.filter(pk__in=pks, state__in=JobState.ACTIVE).values_list("pk", flat=True)
                active_keys.update((kind.tag, pk) for pk in still)
        for key, (jobid, code_file, since) in list(self._tracked.items()):
            if key in active_keys:
                continue
            kind = by_tag[key[0]]
            since = since or now
            if listing is not None and str(jobid) in listing and now - since <= TRACK_LIMIT:
                self._tracked[key] = (jobid, code_file, since)
                continue  # its job is still leaving the scheduler: ask later
            self.between()
            try:
                st = self.backend.status(jobid, exitcode_file=code_file)
            except JobError:
                st = None
            # An unreachable scheduler says nothing about the job: ask again, however long it takes.
            unreachable = st is not None and st.state == RunnerState.UNKNOWN and st.source == "scheduler"
            settled = st is not None and (st.terminal or st.state == RunnerState.UNKNOWN and not unreachable)
            if settled or (now - since > TRACK_LIMIT and not unreachable):
                del self._tracked[key]
                # Final-state hook first, so a recorded exit code means the run's bookkeeping is done.
                self._after_callback_final(kind, key[1])
                if st is not None and st.exit_code is not None:
                    kind.model.objects.filter(pk=key[1], exit_code__isnull=True).update(exit_code=st.exit_code)
            else:
                self._tracked[key] = (jobid, code_file, since)

    @staticmethod
    def _after_callback_final(kind, pk):
        """The row was finished by its job's own callback: run the final-state hook once the
        job has really ended (its files are complete)."""
        try:
            if kind.model.objects.filter(pk=pk, state__in=JobState.FINAL).exists():
                kind.on_final(pk)
        except Exception:
            log.exception("after-final hook of %s %s failed", kind.tag, pk)


def ended_unreported(code_file):
    """For a job the scheduler lists as running: the status its exit-code file gives once
    that file is EXIT_REPORT_GRACE s old, else None."""
    if not code_file:
        return None
    try:
        age = time.time() - os.stat(code_file).st_mtime
    except OSError:
        return None
    if age < EXIT_REPORT_GRACE:
        return None
    code = read_exitcode(code_file)
    if code is None:
        return None
    st = status_from_exitcode(code, "exitcode-file")
    return JobStatus(st.state, code, f"{st.reason}; ended {age:.0f} s ago, its end not yet reported by "
                     "the scheduler", st.source)
