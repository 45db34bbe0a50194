"""Grid Engine command-line helpers: qstat (one call for all jobs), qstat -j,
and qacct (post-mortem for jobs the scheduler no longer knows)."""
from __future__ import annotations

import getpass
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime

from sge.env import command_env

from .base import DONE, FAILED, HELD, QUEUED, RUNNING, UNKNOWN, JobError, JobListing, JobStatus

CLI_TIMEOUT = 30


def run(args, timeout=CLI_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, env=command_env(), timeout=timeout)
    except FileNotFoundError as exc:
        raise JobError(f"{args[0]} not found: is Grid Engine installed (sge/setup_gridengine.sh)?") from exc
    except subprocess.TimeoutExpired as exc:
        raise JobError(f"{' '.join(args)} timed out after {timeout}s") from exc


def master_answers(timeout=10) -> bool:
    """True when the qmaster answers a small request (a separate process: if the request
    meets a master that is going down or starting up, only this process waits)."""
    try:
        return run(["qconf", "-ss"], timeout=timeout).returncode == 0
    except JobError:
        return False


def state_from_qstat(code: str) -> str:
    """Map a qstat state code (qw, hqw, r, t, Eqw, dr, s, ...) to ours."""
    if "E" in code:
        return FAILED
    if "h" in code:
        return HELD
    if any(c in code for c in "rtRsST"):
        return RUNNING
    if "d" in code:  # deletion pending; it has not started
        return QUEUED
    if "q" in code or "w" in code:
        return QUEUED
    return UNKNOWN


def qstat_jobs(user: str | None = None) -> list[JobListing]:
    """All jobs of *user* (default: current user; '*' for everyone) in one qstat call."""
    user = user or getpass.getuser()
    res = run(["qstat", "-xml", "-u", user])
    if res.returncode != 0:
        raise JobError(f"qstat failed: {res.stderr.strip() or res.stdout.strip()}")
    try:
        root = ET.fromstring(res.stdout)
    except ET.ParseError as exc:
        raise JobError(f"qstat -xml output not understood: {exc}") from exc
    jobs = []
    for jl in root.iter("job_list"):
        jobid = (jl.findtext("JB_job_number") or "").strip()
        raw = (jl.findtext("state") or "").strip()
        tasks = (jl.findtext("tasks") or "").strip()
        if not jobid or (tasks and any(j.jobid == jobid for j in jobs)):
            continue  # array-task rows repeat the job
        jobs.append(JobListing(jobid, (jl.findtext("JB_name") or "").strip(), state_from_qstat(raw), raw))
    return jobs


def qstat_job_detail(jobid) -> dict[str, str] | None:
    """`qstat -j ID` as key/value pairs; None when the job is unknown."""
    res = run(["qstat", "-j", str(jobid)])
    if res.returncode != 0:
        return None
    out = {}
    for line in res.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith("="):
            out.setdefault(key.strip(), value.strip())
    return out


def parse_qacct(text: str) -> list[dict[str, str]]:
    """Blocks of `qacct -j` output (separated by ===== lines) as dicts."""
    blocks, cur = [], None
    for line in text.splitlines():
        if line.startswith("====="):
            cur = {}
            blocks.append(cur)
            continue
        if cur is None or not line.strip():
            continue
        key, _, value = line.partition(" ")
        cur[key.strip()] = value.strip()
    return blocks


def _qacct_time(value: str) -> float | None:
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %Y").timestamp()
    except (TypeError, ValueError):
        return None


def qacct_record(jobid, *, job_name=None, submitted_after=None) -> dict[str, str] | None:
    """The accounting record of *jobid*, or None while it is not (yet) there.

    Job numbers repeat when a cluster is re-created, so prefer the record
    whose job name matches and that was submitted after our own submission.
    Accounting is flushed by qmaster with a delay (reporting_params
    flush_time): callers should retry for a while before giving up.
    """
    res = run(["qacct", "-j", str(jobid)])
    if res.returncode != 0:
        return None
    blocks = parse_qacct(res.stdout)
    if job_name:
        blocks = [b for b in blocks if b.get("jobname") == job_name]
    if submitted_after is not None:
        blocks = [b for b in blocks
                  if (_qacct_time(b.get("qsub_time", "")) or 0) >= int(submitted_after) - 1]
    return blocks[-1] if blocks else None


def status_from_qacct(rec: dict[str, str]) -> JobStatus:
    """Decode qacct's `failed` and `exit_status` (see sge_status(5), accounting(5))."""
    try:
        failed_code = int((rec.get("failed") or "0").split()[0])
    except ValueError:
        failed_code = -1
    try:
        exit_status = int(rec.get("exit_status") or "0")
    except ValueError:
        exit_status = None
    if failed_code == 0 and exit_status == 0:
        return JobStatus(DONE, 0, "exit code 0", "qacct")
    if failed_code == 0:
        reason = f"exit code {exit_status}"
        if exit_status is not None and exit_status > 128:
            reason = f"killed by signal {exit_status - 128}"
        return JobStatus(FAILED, exit_status, reason, "qacct")
    return JobStatus(FAILED, exit_status, f"grid engine failure: {rec.get('failed')}", "qacct")

