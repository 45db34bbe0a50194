"""Bare ``qsub`` submission: the baseline that benchmarks compare the job
service against (no DRMAA session, no job store, no exit-code wrapper unless
asked).  Same arguments as Backend.submit where they make sense."""
from __future__ import annotations

import os
import time

from django.conf import settings

from . import sgecli
from .base import (JobError, normalize_hold_jids, prepare_submission, validate_job_name,
                   wrapper_command)


def submit_with_qsub(script, *, job_name, stdout_path, work_dir, hold_jids=(), queue=None,
                     native_spec="", env=None, hold=False, wrap_exitcode=False) -> str:
    """``qsub -terse -b y -shell no ... /bin/bash script``; returns the job id."""
    validate_job_name(job_name)
    if wrap_exitcode:
        script, stdout_path, work_dir, env, code_file = prepare_submission(
            script, job_name, stdout_path, work_dir, env)
        command = wrapper_command(script, code_file)
    else:
        command = ["/bin/bash", os.path.abspath(os.fspath(script))]
    # -shell no: exec the command directly; through the queue's shell qsub
    # would re-split arguments that contain spaces.
    args = ["qsub", "-terse", "-b", "y", "-shell", "no", "-N", job_name, "-o", os.fspath(stdout_path), "-j", "y",
            "-wd", os.fspath(work_dir)]
    queue = settings.ION_SGE_QUEUE if queue is None else queue
    if queue:
        args += ["-q", queue]
    holds = normalize_hold_jids(hold_jids)
    if holds:
        args += ["-hold_jid", ",".join(holds)]
    if hold:
        args.append("-h")
    for k, v in (env or {}).items():
        if "," in str(v) or "," in str(k):
            raise JobError(f"qsub -v cannot pass a comma in {k}={v!r}")
        args += ["-v", f"{k}={v}"]
    if native_spec:
        args += native_spec.split()
    res = sgecli.run(args + command)
    jobid = res.stdout.strip().split(".")[0]
    if res.returncode != 0 or not jobid.isdigit():
        raise JobError(f"qsub failed: {res.stderr.strip() or res.stdout.strip()}")
    return jobid


def qdel(jobids) -> None:
    ids = [str(j) for j in jobids]
    if ids:
        sgecli.run(["qdel", *ids])


def wait_gone(jobids, timeout=60.0, interval=0.2) -> bool:
    """Poll qstat until none of *jobids* is listed; False on timeout."""
    pending = {str(j) for j in jobids}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending &= {j.jobid for j in sgecli.qstat_jobs()}
        if pending:
            time.sleep(interval)
    return not pending
