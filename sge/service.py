"""The job service: one long-lived process that owns the backend (one DRMAA session under
SGE) and drives every grid job row (PluginResultJob, AnalysisJob) from Queued to a final state.

    python manage.py jobservice [--backend sge|local] [--once]

Loop (every ION_JOB_DB_POLL s, default 0.2):
  1. stop requests   -> delete the grid job, Cancelled                (cancel.py)
  2. new Queued rows -> submit on hold, store the id, release         (submit.py)
  3. every ION_JOB_STATUS_POLL s: status of submitted jobs -> states  (poll.py)
  4. at start-up and every ION_JOB_RECONCILE_INTERVAL s: the
     scheduler's job list against the rows (orphans, holds, leftovers) (reconcile.py)
Steps 1 and 2 cost two indexed queries when there is nothing to do. In `run()` they have a
thread of their own (serialised with reconciliation, which must not see a job between its
submission and the UPDATE that records it), so a launch never waits behind a poll of hundreds
of running jobs or a slow scheduler listing; `tick()` runs them inline, between the rows of a
long poll. The database is
the source of truth and the service keeps nothing that a restart would need: a job that ended
while the service was down is settled from its exit-code file (or qacct) on the next poll.
Grid job names are <prefix>_<tag>_<pk> (jobkinds.py); dependants of a job that failed or was
cancelled still run (submit.py).

Only one service may drive a database: a lock file (keyed by the database identity) under
the job state directory refuses a second one.
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
import time

from django.db import Error as DatabaseError
from django.db import connections

from .backends.base import default_state_dir
from .cancel import Canceller
from .jobkinds import Naming, job_name_prefix, registered_kinds, run_start_hooks
from .poll import Poller
from .reconcile import Reconciler, settle_unsubmitted_started
from .service_config import ServiceConfig
from .submit import Submitter

log = logging.getLogger("sge.service")


class ServiceAlreadyRunning(RuntimeError):
    pass


def _refresh_connections() -> None:
    """A long-lived process must replace dropped or expired connections (CONN_MAX_AGE);
    never inside a transaction (a caller's atomic block, e.g. a test)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class JobService:
    def __init__(self, backend, *, config: ServiceConfig | None = None, kinds=None, prefix=None,
                 stop_event: threading.Event | None = None):
        self.backend = backend
        self.config = config or ServiceConfig.from_settings()
        self.kinds = registered_kinds() if kinds is None else tuple(kinds)
        self.naming = Naming(job_name_prefix(prefix), self.kinds)
        self.poller = Poller(backend, self.config, between=self._quick_if_due)
        self.submitter = Submitter(backend, self.naming, self.config, on_submitted=self.poller.track)
        self.canceller = Canceller(backend)
        self.reconciler = Reconciler(backend, self.naming)
        self._stop = stop_event or threading.Event()
        self._next_poll = 0.0
        self._next_reconcile = 0.0
        self._next_quick = 0.0
        self._in_quick = False
        self._threaded = False  # run(): steps 1-2 on their own thread
        self._quick_lock = threading.Lock()
        self._lock_fh = None

    # -- lifetime ---------------------------------------------------------------------------
    def stop(self, *_args) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def acquire_lock(self, state_dir=None) -> str:
        """Refuse to run beside another service on the same database (released on exit,
        including SIGKILL, by the kernel)."""
        root = os.path.join(state_dir or default_state_dir(), "service")
        os.makedirs(root, exist_ok=True)
        path = os.path.join(root, f"{self.naming.prefix}.lock")
        fh = open(path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            other = fh.read().strip()
            fh.close()
            raise ServiceAlreadyRunning(
                f"another job service ({other or 'unknown pid'}) already drives this database (lock {path})")
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        self._lock_fh = fh
        return path

    def release_lock(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    # -- passes -----------------------------------------------------------------------------
    def reconcile(self) -> dict:
        with self._quick_lock:
            counts = self.reconciler.run(self.kinds)
        counts["errored"] = settle_unsubmitted_started(self.kinds, self.config.lost_grace)
        self._next_reconcile = time.monotonic() + self.config.reconcile_interval
        return counts

    def poll(self) -> int:
        changed = self.poller.run(self.kinds)
        self._next_poll = time.monotonic() + self.config.status_poll
        return changed

    def quick(self) -> dict:
        """Stop requests and submissions: what must never wait long."""
        with self._quick_lock:
            self._in_quick = True
            try:
                out = {"cancelled": self.canceller.run(self.kinds), "submitted": self.submitter.run(self.kinds)}
            finally:
                self._in_quick = False
        self._next_quick = time.monotonic() + self.config.db_poll
        return out

    def _quick_if_due(self) -> None:
        if self._threaded:
            return  # the submission thread does it
        if not self._in_quick and time.monotonic() >= self._next_quick:
            try:
                self.quick()
            except Exception:  # the interrupted pass goes on; the main loop retries and logs
                self._next_quick = time.monotonic() + self.config.db_poll
                log.exception("submission pass between polls failed")

    def tick(self) -> dict:
        """Stop requests, submissions, and (when due) polling and reconciliation."""
        _refresh_connections()
        out = self.quick()
        out.update(self._slow_passes())
        return out

    def _slow_passes(self) -> dict:
        out = {}
        now = time.monotonic()
        if now >= self._next_poll:
            out["changed"] = self.poll()
        if now >= self._next_reconcile:
            out["reconciled"] = self.reconcile()
        return out

    def run_once(self) -> dict:
        """Reconcile, then one full pass (for `--once`, cron-style use and tests)."""
        reconciled = self.reconcile()
        self._next_poll = 0.0
        return dict(self.tick(), reconciled=reconciled)

    def run(self) -> None:
        """Loop until stop() (SIGTERM/SIGINT in the management command)."""
        log.info("job service started: backend %s, job names %s_*, db poll %ss, status poll %ss",
                 self.backend.name, self.naming.prefix, self.config.db_poll, self.config.status_poll)
        # Start-up: settle what happened while no service ran before submitting anything new
        # (an orphan of a crash is adopted, not submitted a second time).
        self._next_poll = self._next_reconcile = 0.0
        failures = 0
        while not self._stop.is_set():
            try:
                self.reconcile()
                break
            except DatabaseError as exc:
                failures += 1
                log.warning("database error at start-up (%s); retrying", exc)
                self._close_db()
            except Exception:
                failures += 1
                log.exception("start-up reconciliation failed")
            self._stop.wait(min(10.0, self.config.db_poll * 2 ** failures))
        try:
            self.poller.adopt_unreaped(self.kinds)
        except DatabaseError as exc:  # only bookkeeping: exit codes stay empty, states are right
            log.warning("cannot list finished jobs to collect their exit codes: %s", exc)
        self._threaded = True
        submit_thread = threading.Thread(target=self._loop, args=(self.quick, "submission"),
                                         name="jobservice-submit", daemon=True)
        submit_thread.start()
        try:
            self._loop(self._slow_passes, "status")
        finally:
            self._stop.set()
            submit_thread.join(timeout=60)
            self._threaded = False
        log.info("job service stopping")

    def _loop(self, passes, what) -> None:
        """Run *passes* until stop(), every db_poll s (status passes decide themselves when
        they are due); database errors and failures back off up to 10 s."""
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    _refresh_connections()
                    passes()
                    failures = 0
                except DatabaseError as exc:
                    failures += 1
                    log.warning("database error in the %s loop (%s); retrying", what, exc)
                    self._close_db()
                except Exception:
                    failures += 1
                    log.exception("job service %s pass failed", what)
                delay = self.config.db_poll if not failures else min(10.0, self.config.db_poll * 2 ** failures)
                self._stop.wait(delay)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()  # this thread's own connections

    @staticmethod
    def _close_db():
        for conn in connections.all():
            try:
                conn.close()
            except DatabaseError:
                pass


def install_signal_handlers(stop_event: threading.Event) -> None:
    """SIGTERM / SIGINT end the loop; the caller then closes the backend (DRMAA session)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_event.set())


def open_backend(name: str):
    """The backend named *name*; under SGE the DRMAA session is opened here, once."""
    from .backends import get_backend
    if name in ("sge", "drmaa"):
        # Our own SIGTERM handler closes the session after the loop; no second handler.
        return get_backend(name, install_signal_handler=False)
    return get_backend(name)


def serve(backend_name: str, *, once: bool = False, config: ServiceConfig | None = None) -> None:
    """Run the service until stopped (or one pass with *once*); always closes the backend."""
    stop_event = threading.Event()
    install_signal_handlers(stop_event)  # before the session opens, so no signal can leak it
    run_start_hooks()  # what the apps owning job kinds prepare first (plugin/apps.py)
    backend = open_backend(backend_name)
    try:
        service = JobService(backend, config=config, stop_event=stop_event)
        service.acquire_lock()
        try:
            if once:
                result = service.run_once()
                log.info("one pass: %s", result)
            else:
                service.run()
        finally:
            service.release_lock()
    finally:
        backend.close()
