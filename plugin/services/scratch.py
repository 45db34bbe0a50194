"""What an interrupted plugin install leaves behind, and its removal at the next start.

An install unpacks into scratch/.unzip-*, an upgrade or uninstall renames the old folder into
scratch/.trash-*, an upload is staged as scratch/.upload-*.zip, and plugin code runs in child
processes of their own session (plugin/introspect.py, plugin/services/child.py) that outlive a
killed web or worker process. Everything that creates those holds a shared lock on
<plugin root>/.scratch.lock for as long as it works (`in_use`), and every child carries
ION_PLUGIN_CHILD=<plugin root> in its environment. At start-up (iondb/wsgi.py for the web
server, sge/service.py for the job service) `clean_stale_scratch` takes the lock exclusively,
without waiting: when it gets it nothing is installing anywhere, so every such child is an
orphan (killed with its process group) and every such entry is stale (removed). When it does
not get it, it leaves everything alone; the next start cleans up.
"""
import fcntl
import logging
import os
import shutil
import signal
import time
from contextlib import contextmanager
from pathlib import Path

from .config import plugin_root, scratch_dir

log = logging.getLogger(__name__)

LOCK_NAME = ".scratch.lock"
MARKER = "ION_PLUGIN_CHILD"
TEMP_PREFIXES = (".unzip-", ".trash-", ".upload-")
# An upload is staged (plugin/services/uploads.py) just before its install takes the lock.
UPLOAD_GRACE = 60.0


def marker_value():
    return os.path.realpath(plugin_root())


def child_marker():
    """{MARKER: <plugin root>} for the environment of a child that runs plugin code."""
    try:
        return {MARKER: marker_value()}
    except Exception:  # settings not configured (standalone use of plugin.introspect)
        return {}


@contextmanager
def root_lock(name, operation):
    """An flock (``fcntl.LOCK_SH`` or ``LOCK_EX``) on the file ``name`` in the plugin root,
    held for the block; processes of every service share it through the file system."""
    root = plugin_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / name, "a") as fh:
        fcntl.flock(fh, operation)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def in_use():
    """Shared lock: scratch entries and plugin children of this process are live."""
    return root_lock(LOCK_NAME, fcntl.LOCK_SH)


def _marked_processes(value):
    """pids whose environment holds MARKER=<value> (other users' processes are unreadable)."""
    wanted = f"{MARKER}={value}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if wanted in env:
            found.append(int(entry.name))
    return found


def _kill(pid):
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    try:
        if pgid != os.getpgrp():
            os.killpg(pgid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stale_entries(scratch, now):
    out = []
    try:
        entries = list(os.scandir(scratch))
    except FileNotFoundError:
        return out
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIXES):
            continue  # files the UI uploaded, and whatever plugins keep in TSP_PLUGIN_SCRATCH
        if entry.name.startswith(".upload-"):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime < UPLOAD_GRACE:
                    continue
            except FileNotFoundError:
                continue
        out.append(Path(entry.path))
    return out


def clean_stale_scratch():
    """Kill orphaned plugin children and remove stale scratch entries; returns
    {"killed": [pids], "removed": [paths]}, or None when an install is running somewhere."""
    root = plugin_root()
    if not root.is_dir():
        return {"killed": [], "removed": []}
    with open(root / LOCK_NAME, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        try:
            killed = _marked_processes(marker_value())
            for pid in killed:
                _kill(pid)
            removed = _stale_entries(scratch_dir(), time.time())
            for path in removed:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if killed or removed:
        log.warning("interrupted plugin install cleaned up: killed %s, removed %s",
                    killed, [p.name for p in removed])
    return {"killed": killed, "removed": removed}


def clean_at_start():
    """clean_stale_scratch for a starting service: never stops the start."""
    try:
        return clean_stale_scratch()
    except Exception:
        log.exception("cleaning the plugin scratch folder failed")
        return None
