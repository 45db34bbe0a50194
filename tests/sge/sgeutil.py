"""Helpers for the Grid Engine tests.

Grid Engine tests are marked ``sge``.  They skip when Grid Engine is not
usable here *and* env ``CI`` is unset; in CI they fail instead, so a broken
set-up can never turn into a green run of skipped tests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

from sge.env import DrmaaUnavailable, command_env, drmaa_library_path, import_drmaa

_reason_cache: list = []


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def sge_unavailable_reason() -> str | None:
    """Why the real Grid Engine cannot be used from this process, or None."""
    if _reason_cache:
        return _reason_cache[0]
    reason = None
    if shutil.which("qstat") is None:
        reason = "qstat not on PATH (run sge/setup_gridengine.sh)"
    elif drmaa_library_path() is None:
        reason = "libdrmaa not found (gridengine-drmaa1.0 / DRMAA_LIBRARY_PATH)"
    else:
        try:
            res = subprocess.run(["qstat", "-q", os.environ.get("ION_SGE_QUEUE", "all.q")],
                                 capture_output=True, text=True, env=command_env(), timeout=20)
            if res.returncode != 0:
                reason = f"qstat fails: {(res.stderr or res.stdout).strip()[:200]}"
        except subprocess.TimeoutExpired:
            reason = "qstat timed out (qmaster not answering)"
        if reason is None:
            try:
                import_drmaa()
            except DrmaaUnavailable as exc:
                reason = str(exc)
    _reason_cache.append(reason)
    return reason


def require_sge() -> None:
    """Skip (outside CI) or fail (in CI) when Grid Engine is not usable."""
    reason = sge_unavailable_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"Grid Engine required in CI but unusable: {reason}", pytrace=False)
    pytest.skip(f"Grid Engine not available: {reason}")


def wait_until(predicate, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def check_hold_chain(backend, jobdir, *, parent_seconds, running_timeout, timeout, while_held=None):
    """A child submitted with hold_jids=[parent]: held for its dependency while the parent runs
    (while_held(parent, child) adds a backend's own checks), then run after the parent ends."""
    from sge.backends import DONE, HELD, RUNNING

    parent = backend.submit(jobdir.script("parent", f"sleep {parent_seconds}; echo parent >> chain.log"),
                            **jobdir.submit_args("parent"), hold=False)
    child = backend.submit(jobdir.script("child", "echo child >> chain.log"),
                           **jobdir.submit_args("child"), hold_jids=[parent], hold=False)
    wait_until(lambda: backend.status(parent).state == RUNNING, running_timeout, 0.1, "parent running")
    st = backend.status(child)
    assert st.state == HELD and "dependency" in st.reason
    if while_held is not None:
        while_held(parent, child)
    assert backend.wait(child, timeout=timeout).state == DONE
    assert (jobdir.path / "chain.log").read_text() == "parent\nchild\n"


def check_simple_job(backend, jobdir, timeout):
    """A script submitted unheld runs in its folder under the job's name, with stderr joined
    into its output and the exit-code file named in its environment; returns its final status."""
    from sge.backends import DONE

    script = jobdir.script("ok", 'echo "out $JOB_NAME in $PWD"; echo err >&2; echo "code=$ION_JOB_EXITCODE_FILE"')
    jid = backend.submit(script, **jobdir.submit_args("ok"), hold=False)
    assert jid.isdigit()
    st = backend.wait(jid, timeout=timeout)
    assert (st.state, st.exit_code, st.cancelled) == (DONE, 0, False)
    out = jobdir.output("ok")
    assert f"out {jobdir.prefix}_ok in {jobdir.path}" in out  # the job name, the working folder
    assert "err" in out
    assert f"code={jobdir.exitcode_file('ok')}" in out
    assert jobdir.exitcode_file("ok").read_text() == "0\n"
    return jid, st


@contextmanager
def session_held_elsewhere():
    """For the block, another thread is inside the DRMAA session (as a call that met a qmaster
    going down, which hangs for libdrmaa's timeout)."""
    from sge.backends import drmaa_backend as db

    taken, release = threading.Event(), threading.Event()

    def stuck_call():
        with db._lock:
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=stuck_call)
    thread.start()
    try:
        taken.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def make_script(directory, name, body) -> str:
    path = os.path.join(os.fspath(directory), name)
    with open(path, "w") as fh:
        fh.write("#!/bin/bash\n" + body.strip() + "\n")
    return path
