"""Grid Engine backend through DRMAA (python ``drmaa`` over libdrmaa).

* One DRMAA session per process, opened on first use and closed by the last
  ``close()``, at interpreter exit and on SIGTERM (leaked sessions use up
  qmaster's event clients).  Calls into the session are serialised by a lock.
* Everything SGE-specific goes through ``nativeSpecification``: ``-q``,
  ``-hold_jid``, ``-h`` (submit on hold) and the caller's resource requests;
  DRMAA ignores ``#$`` lines in scripts.
* Status: jobStatus() for live jobs.  A job the session does not know
  (InvalidJobException / UNDETERMINED, e.g. it finished before this process
  started) is resolved by the exit-code file, then ``qacct``; otherwise it is
  ``unknown`` -- never success.  Terminal results are cached in the job
  store because ``wait()`` reaps the job from the session.
* A call into the session can hang for libdrmaa's 60 s communication timeout
  when it meets a qmaster that is going down or starting up (a restart). So
  once a call failed to reach the qmaster, no call that needs it is made until
  ``qconf`` (a process of its own) gets an answer again, probed at most every
  PROBE_INTERVAL s: submit, release and terminate raise SchedulerUnreachable,
  and status answers from the job's exit-code file or says "scheduler
  unreachable". A status query that cannot get the session within
  STATUS_LOCK_WAIT s (another thread's call is stuck) answers the same way.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time

from django.conf import settings

from sge.env import import_drmaa

from . import sgecli
from .base import (FAILED, HELD, QUEUED, RUNNING, UNKNOWN, Backend, JobError, JobStatus,
                   JobStore, SchedulerUnreachable, default_state_dir, normalize_hold_jids, prepare_submission,
                   read_exitcode, status_from_exitcode, validate_jobid, with_queue, wrapper_command)

log = logging.getLogger(__name__)

_lock = threading.RLock()
_session = None
_users = 0
_hooks_installed = False
SUBMIT_TRIES = 3
STATUS_LOCK_WAIT = 5.0  # s a status query waits for a session call of another thread
PROBE_INTERVAL = 2.0  # s between checks whether an unreachable qmaster answers again
_unreachable = False  # a session call failed to reach the qmaster; no answer since
_next_probe = 0.0
_stuck = False  # the last status query found the session held by a stuck call
# Jobs whose end was settled without the session collecting them (from their exit-code file
# while the session was busy or the qmaster away, or seen DONE by jobStatus()): libdrmaa keeps
# each one's finish record until wait() takes it, so they are collected once it answers again.
_uncollected: dict = {}
_uncollected_lock = threading.Lock()  # not the session's: noting one must not wait for a stuck call
COLLECT_PER_CALL = 50
MAX_UNCOLLECTED = 100_000  # beyond this the oldest are forgotten (a few bytes each in libdrmaa)


def _close_session() -> None:
    global _session, _users
    with _lock:
        if _session is not None:
            try:
                _session.exit()
            except Exception as exc:  # already gone; nothing else to do at shutdown
                log.warning("closing DRMAA session: %s", exc)
        _session, _users = None, 0


class _SessionBusy(Exception):
    """Another thread's call into the session did not return in time."""


def _lock_within(seconds) -> None:
    """Take the session lock (the caller releases it), or raise _SessionBusy. While a call
    is known to be stuck, do not wait again for every job."""
    global _stuck
    if _lock.acquire(timeout=0 if _stuck else seconds):
        _stuck = False
        return
    _stuck = True
    raise _SessionBusy


def _lost_qmaster(exc) -> None:
    global _unreachable, _next_probe
    if not _unreachable:
        log.warning("grid engine master unreachable (%s); waiting for it to answer", exc)
    _unreachable, _next_probe = True, 0.0


def _qmaster_answers() -> bool:
    """False while the qmaster has not answered since a session call failed to reach it."""
    global _unreachable, _next_probe
    if not _unreachable:
        return True
    now = time.monotonic()
    if now < _next_probe:
        return False
    _next_probe = now + PROBE_INTERVAL
    if sgecli.master_answers():
        _unreachable = False
        log.info("grid engine master answers again")
    return not _unreachable


def _note_uncollected(jobid) -> None:
    with _uncollected_lock:
        _uncollected[jobid] = None
        while len(_uncollected) > MAX_UNCOLLECTED:
            _uncollected.pop(next(iter(_uncollected)))


def _on_sigterm(signum, frame):
    _close_session()
    signal.signal(signum, signal.SIG_DFL)
    raise SystemExit(128 + signum)


def _acquire_session(drmaa, install_signal_handler: bool):
    global _session, _users, _hooks_installed
    with _lock:
        if _session is None:
            s = drmaa.Session()
            try:
                s.initialize()
            except drmaa.errors.AlreadyActiveSessionException:
                pass  # someone in this process opened the (process-wide) session already
            _session = s
        _users += 1
        if not _hooks_installed:
            atexit.register(_close_session)
            _hooks_installed = True
        if (install_signal_handler and threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)):
            signal.signal(signal.SIGTERM, _on_sigterm)
        return _session


def _release_session() -> None:
    global _users
    with _lock:
        _users -= 1
        if _users <= 0:
            _close_session()


class DrmaaBackend(Backend):
    name = "sge"

    def __init__(self, *, queue: str | None = None, state_dir=None, install_signal_handler=True):
        self.drmaa = import_drmaa()
        self.queue = settings.ION_SGE_QUEUE if queue is None else queue
        self.store = JobStore(os.path.join(state_dir or default_state_dir(), "sge"))
        self._session = _acquire_session(self.drmaa, install_signal_handler)
        self._closed = False
        ps = self.drmaa.JobState
        self._live_states = {
            ps.QUEUED_ACTIVE: (QUEUED, ""),
            ps.SYSTEM_ON_HOLD: (HELD, "system hold (dependency)"),
            ps.USER_ON_HOLD: (HELD, "user hold"),
            ps.USER_SYSTEM_ON_HOLD: (HELD, "user and system hold"),
            ps.RUNNING: (RUNNING, ""),
            ps.SYSTEM_SUSPENDED: (RUNNING, "suspended"),
            ps.USER_SUSPENDED: (RUNNING, "suspended"),
            ps.USER_SYSTEM_SUSPENDED: (RUNNING, "suspended"),
        }

    # -- submission -----------------------------------------------------------
    def native_specification(self, hold_jids=(), native_spec="", hold=True) -> str:
        if not isinstance(native_spec, str) or "\n" in native_spec:
            raise JobError("native_spec must be a single-line string of qsub options")
        parts = []
        holds = normalize_hold_jids(hold_jids)
        if holds:
            parts += ["-hold_jid", ",".join(holds)]
        if hold:
            parts.append("-h")
        if native_spec.strip():
            parts.append(native_spec.strip())
        return with_queue(" ".join(parts), self.queue)

    def submit(self, script_path, *, job_name, stdout_path, work_dir, hold_jids=(),
               native_spec="", env=None, hold=True) -> str:
        self._check_open()
        script, stdout_path, work_dir, env, code_file = prepare_submission(
            script_path, job_name, stdout_path, work_dir, env)
        spec = self.native_specification(hold_jids, native_spec, hold)
        d = self.drmaa
        for attempt in range(1, SUBMIT_TRIES + 1):
            if not _qmaster_answers():
                raise SchedulerUnreachable(f"grid engine master unreachable; job {job_name} not submitted")
            with _lock:
                jt = self._session.createJobTemplate()
                try:
                    cmd = wrapper_command(script, code_file)
                    jt.remoteCommand = cmd[0]
                    jt.args = cmd[1:]
                    jt.jobName = job_name
                    jt.workingDirectory = work_dir
                    jt.outputPath = ":" + stdout_path  # DRMAA wants [host]:path
                    jt.joinFiles = True
                    jt.jobEnvironment = env
                    jt.nativeSpecification = spec
                    jobid = str(self._session.runJob(jt))
                    break
                except (d.errors.DeniedByDrmException, d.errors.DrmCommunicationException,
                        d.errors.InternalException) as exc:
                    if isinstance(exc, d.errors.DrmCommunicationException):
                        _lost_qmaster(exc)
                        if attempt == SUBMIT_TRIES:
                            raise SchedulerUnreachable(f"grid engine master unreachable; job {job_name} "
                                                       f"not submitted: {exc}") from exc
                    if attempt == SUBMIT_TRIES:
                        raise JobError(f"grid engine refused job {job_name}: {exc}") from exc
                    log.warning("submit %s failed (%s), retrying", job_name, exc)
                except d.errors.DrmaaException as exc:
                    raise JobError(f"cannot submit job {job_name}: {exc}") from exc
                finally:
                    self._session.deleteJobTemplate(jt)
            time.sleep(1)
        # Job numbers start again when a cluster is re-created: a stale result or cancel
        # marker of an earlier job with this number must not decide the new one.
        for suffix in ("final", "cancel"):
            self.store.path(jobid, suffix).unlink(missing_ok=True)
        self.store.save_record(jobid, name=job_name, work_dir=work_dir, stdout_path=stdout_path,
                               exitcode_file=code_file, native_spec=spec, script=script)
        return jobid

    def release(self, jobid) -> None:
        self._control(jobid, self.drmaa.JobControlAction.RELEASE, "release")

    def terminate(self, jobid) -> None:
        """Ask SGE to delete the job; the poller records the final state."""
        jobid = validate_jobid(jobid)
        self.store.write(jobid, "cancel", str(time.time()))
        try:
            self._control(jobid, self.drmaa.JobControlAction.TERMINATE, "terminate")
        except JobError as exc:
            if not isinstance(exc.__cause__, self.drmaa.errors.InvalidJobException):
                raise
            # already finished or deleted: nothing to stop

    def _control(self, jobid, action, what) -> None:
        self._check_open()
        jobid = validate_jobid(jobid)
        if not _qmaster_answers():
            raise SchedulerUnreachable(f"cannot {what} job {jobid}: grid engine master unreachable")
        try:
            with _lock:
                self._session.control(jobid, action)
        except self.drmaa.errors.InvalidJobException as exc:
            raise JobError(f"cannot {what} job {jobid}: not known to the scheduler") from exc
        except self.drmaa.errors.DrmCommunicationException as exc:
            _lost_qmaster(exc)
            raise SchedulerUnreachable(f"cannot {what} job {jobid}: {exc}") from exc
        except self.drmaa.errors.DrmaaException as exc:
            raise JobError(f"cannot {what} job {jobid}: {exc}") from exc

    # -- status ---------------------------------------------------------------
    def status(self, jobid, *, exitcode_file=None) -> JobStatus:
        """Finished jobs are collected with wait(NO_WAIT), which libdrmaa answers from the
        job-end events it has already received; only a job that has not finished costs a
        jobStatus() round trip to the qmaster (slow while the scheduler is busy)."""
        self._check_open()
        jobid = validate_jobid(jobid)
        final = self.store.final_status(jobid)
        if final is not None:
            return final
        rec = self.store.record(jobid) or {}
        code_file = exitcode_file or rec.get("exitcode_file")
        cancelled = self.store.exists(jobid, "cancel")
        try:
            st, collected = self._session_status(jobid, code_file, cancelled, rec)
        except _SessionBusy:
            st, collected = self._without_session(code_file, cancelled, "DRMAA session busy"), False
        if st.terminal:
            self.store.save_status(jobid, st)
            if not collected:
                _note_uncollected(jobid)
        if _uncollected and collected is not None:
            self._collect_uncollected()
        return st

    def _collect_uncollected(self) -> None:
        """wait(NO_WAIT) for jobs settled earlier without the session (see _uncollected), a
        few per call, only when the session is free and the qmaster answers."""
        d = self.drmaa
        if not _qmaster_answers() or not _lock.acquire(timeout=0):
            return
        try:
            for jobid in list(_uncollected)[:COLLECT_PER_CALL]:
                try:
                    self._session.wait(jobid, d.Session.TIMEOUT_NO_WAIT)
                except d.errors.ExitTimeoutException:
                    continue  # its end has not reached the session yet: next time
                except d.errors.DrmCommunicationException as exc:
                    _lost_qmaster(exc)
                    return
                except Exception:  # not a job of this session, or already collected
                    pass
                with _uncollected_lock:
                    _uncollected.pop(jobid, None)
        finally:
            _lock.release()

    def _session_status(self, jobid, code_file, cancelled, rec):
        """(status, whether wait() collected the job: None when the session could not be asked)."""
        d = self.drmaa
        _lock_within(STATUS_LOCK_WAIT)
        try:  # only the session call holds the lock; what follows may run qacct
            info = self._session.wait(jobid, d.Session.TIMEOUT_NO_WAIT)
        except (d.errors.ExitTimeoutException, d.errors.InvalidJobException):
            # not finished, or not a job of this session (submitted before a restart, or by
            # someone else): the qmaster knows
            info = None
        except (d.errors.DrmCommunicationException, d.errors.InternalException) as exc:
            if isinstance(exc, d.errors.DrmCommunicationException):
                _lost_qmaster(exc)
            return JobStatus(UNKNOWN, None, f"scheduler unreachable: {exc}", "scheduler", cancelled), None
        except Exception as exc:  # python-drmaa raises plain Exception for code 24 (NO_RUSAGE)
            info = exc
        finally:
            _lock.release()
        if info is None:
            return self._unfinished(jobid, code_file, cancelled, rec), False
        return self._finished(jobid, info, code_file, cancelled, rec), True

    @staticmethod
    def _without_session(code_file, cancelled, why) -> JobStatus:
        """The session cannot be asked now (a qmaster restart): the job's own exit-code file
        still tells how it ended."""
        code = read_exitcode(code_file)
        if code is not None:
            return status_from_exitcode(code, "exitcode-file", cancelled)
        return JobStatus(UNKNOWN, None, f"scheduler unreachable: {why}", "scheduler", cancelled)

    def _unfinished(self, jobid, code_file, cancelled, rec) -> JobStatus:
        d = self.drmaa
        if not _qmaster_answers():  # jobStatus() asks the qmaster
            return self._without_session(code_file, cancelled, "grid engine master not answering")
        _lock_within(STATUS_LOCK_WAIT)
        try:
            ps = self._session.jobStatus(jobid)
        except d.errors.InvalidJobException:
            ps = None
        except (d.errors.DrmCommunicationException, d.errors.InternalException) as exc:
            if isinstance(exc, d.errors.DrmCommunicationException):
                _lost_qmaster(exc)
            return JobStatus(UNKNOWN, None, f"scheduler unreachable: {exc}", "scheduler", cancelled)
        finally:
            _lock.release()
        if ps is None:
            return self._post_mortem(jobid, code_file, cancelled, rec)
        if ps in self._live_states:
            state, reason = self._live_states[ps]
            return JobStatus(state, None, reason, "scheduler", cancelled)
        if ps == d.JobState.FAILED:  # failed but not finished: an error state such as Eqw
            return JobStatus(FAILED, None, "job in error state (see qstat -j)", "scheduler", cancelled)
        if ps == d.JobState.DONE:
            # Ended, but the session has not collected it (ended between the two calls, or the
            # end event went to a master that has since restarted): its exit-code file decides.
            code = read_exitcode(code_file)
            if code is not None:
                return status_from_exitcode(code, "exitcode-file", cancelled)
            return JobStatus(RUNNING, None, "", "scheduler", cancelled)  # ask again next time
        return self._post_mortem(jobid, code_file, cancelled, rec)

    def _finished(self, jobid, info, code_file, cancelled, rec) -> JobStatus:
        """*info* is what wait() returned (or the exception it raised) for a finished job."""
        code = read_exitcode(code_file)
        if code is not None:
            return status_from_exitcode(code, "exitcode-file", cancelled)
        if isinstance(info, Exception):
            if "code 24" in str(info):  # deleted before it ran: SGE has no usage to report
                reason = "terminated" if cancelled else "ended without running"
                return JobStatus(FAILED, None, reason, "scheduler", cancelled)
            return self._post_mortem(jobid, code_file, cancelled, rec)
        if info.hasExited:
            return status_from_exitcode(int(info.exitStatus), "scheduler", cancelled)
        if info.hasSignal:
            sig = str(info.terminatedSignal)
            signo = getattr(signal, sig, None)
            code = 128 + int(signo) if signo is not None else None
            return JobStatus(FAILED, code, f"killed by {sig}", "scheduler", cancelled)
        reason = "terminated" if cancelled else "aborted before it ran"
        return JobStatus(FAILED, None, reason, "scheduler", cancelled)

    def _post_mortem(self, jobid, code_file, cancelled, rec) -> JobStatus:
        code = read_exitcode(code_file)
        if code is not None:
            return status_from_exitcode(code, "exitcode-file", cancelled)
        if cancelled:
            return JobStatus(FAILED, None, "terminated", "record", True)
        try:
            acct = sgecli.qacct_record(jobid, job_name=rec.get("name"),
                                       submitted_after=rec.get("submitted_at"))
        except JobError as exc:
            acct, why = None, str(exc)
        else:
            why = "no accounting record yet"
        if acct is not None:
            return sgecli.status_from_qacct(acct)
        return JobStatus(UNKNOWN, None, f"not known to the scheduler, no exit-code file, {why}",
                         "record", cancelled)

    def list_jobs(self):
        return sgecli.qstat_jobs()

    # -- lifetime -------------------------------------------------------------
    def _check_open(self):
        if self._closed:
            raise JobError("backend is closed")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _release_session()
