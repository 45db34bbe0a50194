"""Submission: Queued rows without a grid id -> submitted on hold -> id stored -> released.

The row exists before the job (created by plugin launch or analysis launch). The job is
submitted on hold, so it cannot start before its id is in the row; the id is stored with a
conditional UPDATE (the row must still be Queued, unsubmitted and not cancelled), and only then
is the hold released. If the UPDATE finds the row changed (cancelled or deleted meanwhile), the
held job is deleted at once: it never ran, so nothing runs twice. A crash between submit and
UPDATE leaves a held job whose name points at the row; reconciliation adopts or deletes it.

A scheduler that cannot be reached (a qmaster restart) is not the row's fault: submissions
pause for UNREACHABLE_PAUSE s at a time, and no retry of the row is counted.

Dependencies (`depends_on`): a row is submitted once every job it depends on is submitted or
final; `-hold_jid` gets the grid ids of those not final yet. A dependency that ended in Error,
Cancelled or Timed Out does NOT cancel its dependants: holds only order jobs, as `-hold_jid`
does in Grid Engine and as in the original (a LAST exporter still runs when another plugin
failed; a dependant plugin reads its dependency's state from startplugin.json / the API).
"""
from __future__ import annotations

import logging
import os
import time

from django.utils import timezone

from rundb.jobstates import JobState

from .backends.base import JobError, SchedulerUnreachable
from .transitions import move

log = logging.getLogger("sge.service")

SCRIPT_GRACE = 60.0  # s a Queued row may lack its script_path (still being written) before Error
RETRY_BACKOFF = (1, 2, 5, 10, 30)
UNREACHABLE_PAUSE = 2.0


class Submitter:
    def __init__(self, backend, naming, config, on_submitted=None):
        self.backend = backend
        self.naming = naming
        self.config = config
        # (kind, pk, grid id, exit-code file) of each job submitted: the poller follows it
        # even when the job's own callbacks finish the row before any status pass sees it.
        self.on_submitted = on_submitted or (lambda *args: None)
        self._failures = {}  # (tag, pk) -> (count, monotonic time of next try)
        self._paused_until = None  # monotonic time; set while the scheduler is unreachable

    def run(self, kinds) -> int:
        """One pass over every kind; returns how many jobs were submitted."""
        if self._paused_until is not None and time.monotonic() < self._paused_until:
            return 0
        return sum(self.submit_kind(kind) for kind in kinds)

    def submit_kind(self, kind) -> int:
        rows = list(kind.candidates()[: self.config.batch])
        if not rows:
            return 0
        fresh = {}  # pk -> grid id of rows submitted in this pass (dependants may follow)
        done = 0
        now = time.monotonic()
        for row in rows:
            key = (kind.tag, row.pk)
            count, next_try = self._failures.get(key, (0, 0.0))
            if next_try > now:
                continue
            try:
                ready, holds = self._dependencies(kind, row, fresh)
                if not ready:
                    continue
                jobid = self._submit_row(kind, row, holds)
            except SchedulerUnreachable as exc:
                if self._paused_until is None:
                    log.warning("submissions paused: %s", exc)
                self._paused_until = time.monotonic() + UNREACHABLE_PAUSE
                break
            except JobError as exc:
                self._failed(kind, row, key, count, exc)
                continue
            except Exception as exc:  # never let one row stop the others
                log.exception("submitting %s %s", kind.tag, row.pk)
                self._failed(kind, row, key, count, exc)
                continue
            self._failures.pop(key, None)
            if self._paused_until is not None:
                self._paused_until = None
                log.info("submissions resumed")
            if jobid is not None:
                fresh[row.pk] = jobid
                done += 1
        return done

    def _dependencies(self, kind, row, fresh):
        """(ready, grid ids to hold on)."""
        holds = []
        for dep in kind.dependencies(row):
            if dep.state in JobState.FINAL:
                continue
            jid = fresh.get(dep.pk) or dep.grid_engine_jobid
            if jid is None:
                return False, []
            holds.append(str(jid))
        return True, holds

    def _submit_row(self, kind, row, holds):
        """Submit one row; returns its grid id, or None when the row was finished instead."""
        if not row.script_path:
            age = (timezone.now() - row.created).total_seconds()
            if age > SCRIPT_GRACE:
                move(kind, row.pk, JobState.ERROR, message="no job script was recorded for this job")
            return None
        if not os.path.isfile(row.script_path):
            move(kind, row.pk, JobState.ERROR, message=f"job script not found: {row.script_path}")
            return None
        work_dir = kind.work_dir(row)
        env = kind.job_env(row)
        code_file = env["ION_JOB_EXITCODE_FILE"] = kind.exitcode_file(row)
        jobid = self.backend.submit(
            row.script_path, job_name=self.naming.name(kind, row.pk), stdout_path=kind.stdout_path(row),
            work_dir=work_dir, hold_jids=holds, native_spec=kind.native_spec(row), env=env, hold=True)
        stored = kind.model.objects.filter(
            pk=row.pk, state=JobState.QUEUED, grid_engine_jobid__isnull=True, cancel_requested=False,
        ).update(grid_engine_jobid=int(jobid), submitted_at=timezone.now())
        if not stored:
            log.info("%s %s changed while submitting; deleting held job %s", kind.tag, row.pk, jobid)
            self._kill(jobid)
            return None
        self.on_submitted(kind, row.pk, jobid, code_file)
        try:
            self.backend.release(jobid)
        except JobError as exc:  # reconciliation releases user-held jobs it finds
            log.warning("release of %s (%s %s) failed: %s", jobid, kind.tag, row.pk, exc)
        log.info("%s %s submitted as %s%s", kind.tag, row.pk, jobid, f" holding on {','.join(holds)}" if holds else "")
        return jobid

    def _kill(self, jobid):
        try:
            self.backend.terminate(jobid)
        except JobError as exc:
            log.warning("could not delete job %s: %s", jobid, exc)

    def _failed(self, kind, row, key, count, exc):
        count += 1
        if count >= self.config.submit_retries:
            self._failures.pop(key, None)
            move(kind, row.pk, JobState.ERROR, message=f"submission failed {count} times: {exc}")
            return
        delay = RETRY_BACKOFF[min(count - 1, len(RETRY_BACKOFF) - 1)]
        self._failures[key] = (count, time.monotonic() + delay)
        log.warning("submitting %s %s failed (%s); retry %d in %ss", kind.tag, row.pk, exc, count, delay)
