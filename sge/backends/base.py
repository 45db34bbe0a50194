"""What every job backend shares: states, the exit-code file convention, the
job wrapper, job-name rules and the small on-disk job record store.

Exit-code file convention (relied on by the job service and the launch-script
template):

* Every job gets ``ION_JOB_EXITCODE_FILE`` in its environment.  By default it
  is ``<work_dir>/<job_name>.exitcode`` (:func:`exitcode_path`); a caller may
  pass another path in ``env["ION_JOB_EXITCODE_FILE"]``.
* The backend does not launch the script directly but through
  :data:`JOB_WRAPPER` (``/bin/bash -c WRAPPER script exitcode_file``), which
  runs ``/bin/bash <script>`` and then writes the script's exit status as a
  decimal number and a newline, atomically (temp file + rename), and exits
  with the same status.  So a launch script need not write the file itself;
  if it does, it must write the same single number the same way.
* A stale file from an earlier run is removed at submit time.
* When the scheduler no longer knows a job, the file decides the outcome.  No
  file (killed, node lost, wrapper never ran) means: ask ``qacct`` (SGE), and
  if nothing decides, the status is ``unknown`` -- never success.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from rundb.files import atomic_write
from rundb.jobstates import RunnerState

EXITCODE_ENV = "ION_JOB_EXITCODE_FILE"
EXITCODE_SUFFIX = ".exitcode"

# The runner's states belong to the one job-state vocabulary (rundb/jobstates.py).
QUEUED, HELD, RUNNING = RunnerState.QUEUED, RunnerState.HELD, RunnerState.RUNNING
DONE, FAILED, UNKNOWN = RunnerState.DONE, RunnerState.FAILED, RunnerState.UNKNOWN
STATES = RunnerState.ALL
TERMINAL_STATES = RunnerState.TERMINAL
LIVE_STATES = RunnerState.LIVE

# $1 = job script, $2 = exit-code file.  No `exec`: the status must be
# recorded.  One line: SGE does not carry newlines in job arguments.
JOB_WRAPPER = (
    'script=$1 code_file=$2; export ION_JOB_EXITCODE_FILE="$code_file"; rm -f -- "$code_file"; '
    '/bin/bash "$script"; rc=$?; '
    'printf "%d\\n" "$rc" > "$code_file.tmp.$$" && mv -f -- "$code_file.tmp.$$" "$code_file"; '
    'exit "$rc"'
)

# SGE rejects / : @ \ * ? and whitespace in -N; a leading digit makes qsub
# read the name as a job id in -hold_jid.  Names also end up in file names.
_JOB_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")


class JobError(Exception):
    """A backend refused or failed an operation; the message says why."""


class InvalidJobName(JobError, ValueError):
    pass


class SchedulerUnreachable(JobError):
    """The scheduler could not be reached: nothing was decided, try again later."""


@dataclass(frozen=True)
class JobStatus:
    state: str                    # one of STATES
    exit_code: int | None = None  # when known; 128+N for a signal N
    reason: str = ""              # short human-readable explanation
    source: str = ""              # scheduler | exitcode-file | qacct | record
    cancelled: bool = False       # terminate() was asked for this job

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


@dataclass(frozen=True)
class JobListing:
    """One job the scheduler currently knows (for reconciliation)."""
    jobid: str
    name: str
    state: str      # one of STATES
    raw_state: str  # scheduler's own code (qstat 'hqw', 'r', ...)
    hold_jids: tuple = field(default=())


def validate_job_name(name: str) -> str:
    if not isinstance(name, str) or not _JOB_NAME_RE.fullmatch(name):
        raise InvalidJobName(
            f"invalid job name {name!r}: use 1-200 of [A-Za-z0-9_.-], starting with a letter or '_'")
    return name


def validate_jobid(jobid) -> str:
    """Job ids are positive integers (SGE's, and ours for the local backend)."""
    s = str(jobid).strip()
    if not s.isdigit() or int(s) <= 0:
        raise JobError(f"invalid job id {jobid!r}")
    return s


def exitcode_path(work_dir, job_name) -> str:
    return os.path.join(os.fspath(work_dir), f"{job_name}{EXITCODE_SUFFIX}")


def read_exitcode(path) -> int | None:
    """The code in an exit-code file, or None when absent/empty/garbled."""
    if not path:
        return None
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    try:
        return int(text.splitlines()[0]) if text else None
    except ValueError:
        return None


def status_from_exitcode(code: int, source: str, cancelled=False) -> JobStatus:
    if code == 0:
        return JobStatus(DONE, 0, "exit code 0", source, cancelled)
    return JobStatus(FAILED, code, f"exit code {code}", source, cancelled)


def wrapper_command(script_path, exitcode_file) -> list[str]:
    return ["/bin/bash", "-c", JOB_WRAPPER, "ion-job", os.fspath(script_path), os.fspath(exitcode_file)]


def prepare_submission(script_path, job_name, stdout_path, work_dir, env):
    """Validate submit arguments; returns (script, stdout, work_dir, env, exitcode_file)."""
    validate_job_name(job_name)
    script = os.path.abspath(os.fspath(script_path))
    if not os.path.isfile(script):
        raise JobError(f"job script not found: {script}")
    work_dir = os.path.abspath(os.fspath(work_dir))
    if not os.path.isdir(work_dir):
        raise JobError(f"work_dir is not a directory: {work_dir}")
    stdout_path = os.path.abspath(os.fspath(stdout_path))
    if not os.path.isdir(os.path.dirname(stdout_path)):
        raise JobError(f"directory of stdout_path does not exist: {stdout_path}")
    for p in (script, work_dir, stdout_path):
        if "\n" in p or "\r" in p:
            raise JobError(f"path contains a line break: {p!r}")
    env = {str(k): str(v) for k, v in (env or {}).items()}
    code_file = os.path.abspath(env.get(EXITCODE_ENV) or exitcode_path(work_dir, job_name))
    env[EXITCODE_ENV] = code_file
    try:
        os.unlink(code_file)  # a result from an earlier run must not decide this one
    except FileNotFoundError:
        pass
    return script, stdout_path, work_dir, env, code_file


def with_queue(native_spec: str, queue: str) -> str:
    """*native_spec* with ``-q queue`` in front, unless it names a queue already (or no queue)."""
    if not queue or " -q " in f" {native_spec} ":
        return native_spec
    return f"-q {queue} {native_spec}".strip()


def normalize_hold_jids(hold_jids) -> list[str]:
    if isinstance(hold_jids, (str, int)):
        hold_jids = [hold_jids]
    out = []
    for j in hold_jids or ():
        j = validate_jobid(j)
        if j not in out:
            out.append(j)
    return out


def default_state_dir() -> str:
    return str(settings.ION_JOB_STATE_DIR)


class JobStore:
    """Small per-job files under one directory, shared by restarts of a backend.

    ``<id>.json``: what was submitted (name, work_dir, exit-code file, ...);
    other suffixes are markers/results written by the backends.  Each file
    is written atomically so readers never see half a file.
    """

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path(self, jobid, suffix) -> Path:
        return self.root / f"{jobid}.{suffix}"

    def write(self, jobid, suffix, data) -> None:
        text = data if isinstance(data, str) else json.dumps(data, sort_keys=True)
        atomic_write(self.path(jobid, suffix), text)

    def read(self, jobid, suffix):
        try:
            text = self.path(jobid, suffix).read_text()
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def exists(self, jobid, suffix) -> bool:
        return self.path(jobid, suffix).exists()

    def record(self, jobid) -> dict | None:
        rec = self.read(jobid, "json")
        return rec if isinstance(rec, dict) else None

    def save_record(self, jobid, **fields) -> dict:
        rec = dict(fields, jobid=str(jobid), submitted_at=time.time())
        self.write(jobid, "json", rec)
        return rec

    def jobids(self) -> list[str]:
        ids = [p.name[:-5] for p in self.root.glob("*.json") if p.name[:-5].isdigit()]
        return sorted(ids, key=int)

    def save_status(self, jobid, status: JobStatus) -> None:
        self.write(jobid, "final", asdict(status))

    def final_status(self, jobid) -> JobStatus | None:
        data = self.read(jobid, "final")
        return JobStatus(**data) if isinstance(data, dict) else None


class Backend:
    """Interface the job service uses; see DrmaaBackend and LocalBackend."""

    name = "abstract"

    def submit(self, script_path, *, job_name, stdout_path, work_dir, hold_jids=(),
               native_spec="", env=None, hold=True) -> str:
        raise NotImplementedError

    def release(self, jobid) -> None:
        raise NotImplementedError

    def status(self, jobid, *, exitcode_file=None) -> JobStatus:
        raise NotImplementedError

    def terminate(self, jobid) -> None:
        raise NotImplementedError

    def list_jobs(self) -> list[JobListing]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def wait(self, jobid, timeout=60.0, interval=0.25) -> JobStatus:
        """Poll status() until terminal or *timeout*; returns the last status."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.status(jobid)
            if st.terminal or time.monotonic() >= deadline:
                return st
            time.sleep(interval)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
