"""Local backend: jobs are plain subprocesses on this machine, no Grid Engine.

Same contract as DrmaaBackend (holds, hold_jids, exit-code file, terminate,
list_jobs) so the job service does not care which one it has.  Each job is
supervised by a detached ``local_runner.py`` process; all state lives in
small files under ``<state_dir>/local`` (see local_runner for the layout), so
a restarted job service finds its jobs again: ids are numbers from a counter
file, liveness is pid + kernel start time.  ``native_spec`` is recorded but
has no effect; ``slots`` limits how many jobs run at once (setting
``ION_LOCAL_SLOTS``, default: number of CPUs, at least 2).
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

from django.conf import settings

from . import local_runner as lr
from .base import (FAILED, HELD, LIVE_STATES, QUEUED, RUNNING, UNKNOWN, Backend, JobError, JobListing,
                   JobStatus, JobStore, default_state_dir, normalize_hold_jids,
                   prepare_submission, read_exitcode, status_from_exitcode, validate_jobid,
                   wrapper_command)

RUNNER = os.path.abspath(lr.__file__)


class LocalBackend(Backend):
    name = "local"

    def __init__(self, *, state_dir=None, slots: int | None = None, term_grace: float = 5.0,
                 python: str = sys.executable):
        self.store = JobStore(os.path.join(state_dir or default_state_dir(), "local"))
        if slots is None:
            slots = settings.ION_LOCAL_SLOTS
        self.slots = slots
        self.term_grace = term_grace
        self.python = python
        self._children: dict[str, subprocess.Popen] = {}

    def _next_id(self) -> str:
        path = self.store.root / "next_id"
        with open(path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            text = fh.read().strip()
            n = int(text) if text.isdigit() else 1
            while self.store.exists(n, "json"):  # counter file lost: never reuse an id
                n += 1
            fh.seek(0)
            fh.truncate()
            fh.write(str(n + 1))
            return str(n)

    # -- submission -----------------------------------------------------------
    def submit(self, script_path, *, job_name, stdout_path, work_dir, hold_jids=(),
               native_spec="", env=None, hold=True) -> str:
        script, stdout_path, work_dir, env, code_file = prepare_submission(
            script_path, job_name, stdout_path, work_dir, env)
        holds = normalize_hold_jids(hold_jids)
        jobid = self._next_id()
        self.store.save_record(jobid, name=job_name, work_dir=work_dir, stdout_path=stdout_path,
                               exitcode_file=code_file, hold_jids=holds, native_spec=native_spec,
                               script=script, slots=self.slots,
                               command=wrapper_command(script, code_file))
        if not hold:
            self.store.write(jobid, "release", "")
        job_env = dict(os.environ)  # the job inherits this process's environment, as under a shell
        job_env.update(env)
        job_env.update(JOB_ID=jobid, JOB_NAME=job_name)  # as SGE sets them
        with open(self.store.path(jobid, "log"), "ab") as log:
            proc = subprocess.Popen([self.python, RUNNER, str(self.store.root), jobid],
                                    start_new_session=True, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, env=job_env, cwd=work_dir)
        self._children[jobid] = proc
        ident = lr.identity(proc.pid)
        if ident and not self.store.exists(jobid, "runner"):
            self.store.write(jobid, "runner", ident)
        return jobid

    def _record(self, jobid) -> dict:
        jobid = validate_jobid(jobid)
        rec = self.store.record(jobid)
        if rec is None:
            raise JobError(f"job {jobid} is not known to the local backend")
        return rec

    def release(self, jobid) -> None:
        rec = self._record(jobid)
        jobid = rec["jobid"]
        if self.store.exists(jobid, "result") or not self._runner_alive(jobid, rec):
            raise JobError(f"cannot release job {jobid}: it is no longer queued")
        self.store.write(jobid, "release", "")

    # -- liveness -------------------------------------------------------------
    def _reap(self) -> None:
        for jobid, proc in list(self._children.items()):
            if proc.poll() is not None:
                self._children.pop(jobid, None)  # may race with another thread: no KeyError

    def _runner_alive(self, jobid, rec) -> bool:
        self._reap()
        runner = self.store.read(jobid, "runner")
        if runner is None:  # not written yet: trust a fresh record
            return time.time() - rec.get("submitted_at", 0) < lr.RUNNER_START_GRACE
        return lr.alive(runner)

    # -- status ---------------------------------------------------------------
    def status(self, jobid, *, exitcode_file=None) -> JobStatus:
        jobid = validate_jobid(jobid)
        rec = self.store.record(jobid)
        if rec is None:
            return JobStatus(UNKNOWN, None, "not known to the local backend", "record")
        code_file = exitcode_file or rec.get("exitcode_file")
        cancelled = self.store.exists(jobid, "cancel")
        res = self.store.read(jobid, "result")
        if isinstance(res, dict):
            return self._from_result(res, code_file)
        if self._runner_alive(jobid, rec):
            if self.store.exists(jobid, "start"):
                return JobStatus(RUNNING, None, "", "scheduler", cancelled)
            if not self.store.exists(jobid, "release"):
                return JobStatus(HELD, None, "user hold", "scheduler", cancelled)
            if not all(lr.finished(self.store.root, j) for j in rec.get("hold_jids", ())):
                return JobStatus(HELD, None, "system hold (dependency)", "scheduler", cancelled)
            return JobStatus(QUEUED, None, "", "scheduler", cancelled)
        # The runner died without a result (killed, machine restarted).
        code = read_exitcode(code_file)
        if code is not None:
            return status_from_exitcode(code, "exitcode-file", cancelled)
        if cancelled:
            return JobStatus(FAILED, None, "terminated", "record", True)
        return JobStatus(UNKNOWN, None, "job supervisor vanished without a result", "record")

    @staticmethod
    def _from_result(res, code_file) -> JobStatus:
        cancelled = bool(res.get("cancelled"))
        code = read_exitcode(code_file)
        if code is not None:
            return status_from_exitcode(code, "exitcode-file", cancelled)
        rc = res.get("returncode")
        if cancelled:
            return JobStatus(FAILED, None if rc is None else (128 - rc if rc < 0 else rc),
                             "terminated", "record", True)
        if rc is None:
            return JobStatus(FAILED, None, res.get("reason") or "did not run", "record")
        if rc < 0:
            return JobStatus(FAILED, 128 - rc, f"killed by signal {-rc}", "record")
        return status_from_exitcode(rc, "record")

    # -- termination ----------------------------------------------------------
    def terminate(self, jobid) -> None:
        """SIGTERM the job's process group, SIGKILL after ``term_grace`` seconds."""
        rec = self._record(jobid)
        jobid = rec["jobid"]
        self.store.write(jobid, "cancel", str(time.time()))
        if self.store.exists(jobid, "result"):
            return
        groups = set()
        for suffix in ("runner", "start"):
            ident = self.store.read(jobid, suffix)
            if lr.alive(ident):
                pgid = lr.proc_pgid(ident["pid"])
                if pgid is not None:
                    groups.add(pgid)
        if not groups:
            return
        self._signal_groups(groups, signal.SIGTERM)
        # Wait for the whole group, not just the supervisor: a script that
        # ignores SIGTERM outlives its parents and must get the SIGKILL.
        deadline = time.monotonic() + self.term_grace
        while time.monotonic() < deadline:
            self._reap()
            if not any(lr.group_alive(g) for g in groups):
                return
            time.sleep(0.05)
        self._signal_groups(groups, signal.SIGKILL)

    @staticmethod
    def _signal_groups(groups, sig) -> None:
        for pgid in groups:
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                pass

    # -- listing ----------------------------------------------------------------
    def list_jobs(self) -> list[JobListing]:
        """Jobs not finished yet (held, queued, running)."""
        out = []
        for jobid in self.store.jobids():
            if self.store.exists(jobid, "result"):
                continue
            st = self.status(jobid)
            if st.state in LIVE_STATES:
                rec = self.store.record(jobid) or {}
                out.append(JobListing(jobid, rec.get("name", ""), st.state, st.state,
                                      tuple(rec.get("hold_jids", ()))))
        return out

    def close(self) -> None:
        """Forget our child handles; jobs keep running (as under SGE)."""
        self._reap()
        self._children.clear()
