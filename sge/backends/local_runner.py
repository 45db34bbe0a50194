"""Detached supervisor of one local job (stdlib and rundb.files only; run by file path).

    python local_runner.py STATE_DIR JOBID

LocalBackend starts one runner per job in a new session (process group), so
the job outlives the job service and a restarted service can still find it.
The runner

1. waits until the job is released (``<id>.release``), every job in
   ``hold_jids`` has finished (like SGE, unknown ids do not hold) and a slot
   is free (``flock`` on ``slots/slot.N``; freed automatically if it dies);
2. runs the job command (the exit-code wrapper) with stdout+stderr appended
   to ``stdout_path`` and cwd ``work_dir``, recording ``<id>.start``;
3. writes ``<id>.result`` (return code, whether it was cancelled).

SIGTERM (terminate() signals the whole group) is forwarded to the job; a
runner still waiting to start records a cancelled result and exits.
Processes are identified by pid *and* kernel start time so a reused pid is
never mistaken for the job.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

if not __package__:  # run by file path (LocalBackend does): the project root makes rundb importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rundb.files import atomic_write  # noqa: E402 - after the path set-up above

POLL_SECONDS = 0.2
RUNNER_START_GRACE = 30.0  # a record this young may not have its runner file yet


def proc_stat(pid: int):
    """(state, starttime) from /proc/<pid>/stat, or None if there is no such process."""
    try:
        with open(f"/proc/{int(pid)}/stat") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return None
    fields = data[data.rfind(")") + 2:].split()
    return fields[0], int(fields[19])  # state, starttime (field 22)


def proc_pgid(pid: int) -> int | None:
    try:
        return os.getpgid(int(pid))
    except (ProcessLookupError, ValueError):
        return None


def group_alive(pgid: int) -> bool:
    """Some process (not a zombie) still belongs to process group *pgid*."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                data = fh.read()
        except OSError:
            continue
        fields = data[data.rfind(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def identity(pid: int) -> dict | None:
    st = proc_stat(pid)
    return {"pid": int(pid), "starttime": st[1]} if st else None


def alive(ident) -> bool:
    """The process recorded in *ident* still exists (and is not a zombie)."""
    if not isinstance(ident, dict) or "pid" not in ident:
        return False
    st = proc_stat(ident["pid"])
    return st is not None and st[0] not in ("Z", "X") and st[1] == ident.get("starttime")


def read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_json(path: Path, data) -> None:
    atomic_write(path, json.dumps(data, sort_keys=True))


def finished(store: Path, jobid: str) -> bool:
    """Whether job *jobid* of this store no longer holds its dependants."""
    rec = read_json(store / f"{jobid}.json")
    if not isinstance(rec, dict) or (store / f"{jobid}.result").exists():
        return True
    runner = read_json(store / f"{jobid}.runner")
    if runner is None:
        return time.time() - rec.get("submitted_at", 0) > RUNNER_START_GRACE
    return not alive(runner)


def take_slot(store: Path, slots: int):
    """An open, exclusively locked slot file descriptor, or None when all are busy."""
    if not slots or slots <= 0:
        return -1  # unlimited
    d = store / "slots"
    d.mkdir(exist_ok=True)
    for n in range(slots):
        fd = os.open(d / f"slot.{n}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError:
            os.close(fd)
    return None


def main(state_dir: str, jobid: str) -> int:
    store = Path(state_dir)
    rec = read_json(store / f"{jobid}.json")
    if not isinstance(rec, dict):
        print(f"local_runner: no record for job {jobid} in {store}", file=sys.stderr)
        return 2
    me = identity(os.getpid())
    if not (store / f"{jobid}.runner").exists():
        write_json(store / f"{jobid}.runner", me)
    cancel = store / f"{jobid}.cancel"
    state = {"signal": None, "child": None}

    def on_signal(signum, frame):
        state["signal"] = signum
        child = state["child"]
        if child is not None and child.poll() is None:
            try:
                child.send_signal(signum)
            except ProcessLookupError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    def result(**fields):
        fields.update(cancelled=cancel.exists(), ended_at=time.time(), signal=state["signal"])
        write_json(store / f"{jobid}.result", fields)

    while True:  # wait for release, dependencies and a slot
        if state["signal"] is not None or cancel.exists():
            result(returncode=None, reason="terminated before start")
            return 0
        if (store / f"{jobid}.release").exists() and all(
                finished(store, str(j)) for j in rec.get("hold_jids", ())):
            slot = take_slot(store, int(rec.get("slots") or 0))
            if slot is not None:
                break
        time.sleep(POLL_SECONDS)

    try:
        with open(rec["stdout_path"], "ab", buffering=0) as out:
            child = subprocess.Popen(rec["command"], cwd=rec["work_dir"], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT)
    except OSError as exc:
        result(returncode=None, reason=f"cannot start: {exc}")
        return 1
    state["child"] = child
    write_json(store / f"{jobid}.start", dict(identity(child.pid) or {"pid": child.pid},
                                               started_at=time.time()))
    if state["signal"] is not None and child.poll() is None:
        child.send_signal(state["signal"])  # signal arrived while starting
    rc = child.wait()
    result(returncode=rc, reason="")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: local_runner.py STATE_DIR JOBID", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
