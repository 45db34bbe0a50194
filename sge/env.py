"""Environment a process needs to talk to the local Grid Engine.

This module reads and fills ``os.environ`` itself (not django.conf.settings): libdrmaa and the
Grid Engine commands take SGE_ROOT, SGE_CELL, DRMAA_LIBRARY_PATH and LD_PRELOAD from the
process environment, and ``python -m sge.env`` prints shell exports without Django. The
server's own queue choice is settings.ION_SGE_QUEUE / ION_SGE_PLUGIN_QUEUE.

Two kinds of settings:

* ``SGE_ROOT``, ``SGE_CELL``, ``DRMAA_LIBRARY_PATH`` can be set in
  ``os.environ`` at any time before ``import drmaa`` (the python package
  reads ``DRMAA_LIBRARY_PATH`` at import; libdrmaa reads the SGE variables
  when the session opens).  :func:`apply_sge_env` does that.

* ``LD_PRELOAD`` of libjemalloc must be in place when the process *starts*:
  Debian's libdrmaa links libjemalloc, whose initial-exec TLS does not fit in
  the static TLS left for late ``dlopen()``, so ``import drmaa`` fails with
  "cannot allocate memory in static TLS block".  Ways to get it:

  - ``eval "$(sge/setup_gridengine.sh --print-env)"`` in the shell that starts
    the process (CI, Makefile);
  - ``python -m sge.env exec -- CMD ...`` runs CMD with everything set;
  - a long-lived entry point (the job service) calls
    :func:`reexec_with_drmaa_preload` first thing in ``main()``: it re-execs
    the interpreter with the same argv plus ``LD_PRELOAD`` when libjemalloc
    exists and is not preloaded yet (``ION_DRMAA_REEXEC=1`` stops loops).

  ``GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384`` works too; we use
  the preload because the CI scripts and sge/setup_gridengine.sh use it.

Command line::

    python -m sge.env                 # print `export ...` lines
    python -m sge.env exec -- CMD...  # run CMD with the SGE/DRMAA environment
"""
from __future__ import annotations

import os
import shutil
import sys

DEFAULT_SGE_ROOT = "/var/lib/gridengine"
DEFAULT_SGE_CELL = "default"
DEFAULT_QUEUE = "all.q"
DRMAA_LIBRARY_CANDIDATES = (
    "/usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0",  # Debian gridengine-drmaa1.0
    "/usr/lib/libdrmaa.so.1.0",
    "/usr/lib/libdrmaa.so",
)
JEMALLOC_CANDIDATES = (
    "/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "/lib/aarch64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
)
REEXEC_MARKER = "ION_DRMAA_REEXEC"


class DrmaaUnavailable(RuntimeError):
    """The DRMAA library cannot be loaded in this process (with the reason)."""


def _first_existing(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    return None


def drmaa_library_path(environ=os.environ) -> str | None:
    path = environ.get("DRMAA_LIBRARY_PATH")
    if path:
        return path if os.path.exists(path) else None
    return _first_existing(DRMAA_LIBRARY_CANDIDATES)


def jemalloc_path() -> str | None:
    return _first_existing(JEMALLOC_CANDIDATES)


def default_queue(environ=os.environ) -> str:
    return environ.get("ION_SGE_QUEUE") or DEFAULT_QUEUE


def plugin_queue(environ=os.environ) -> str:
    """Queue of plugin jobs: ION_SGE_PLUGIN_QUEUE (sge/setup_gridengine.sh makes plugin.q),
    else the default queue, for a grid without a plugin queue of its own."""
    return environ.get("ION_SGE_PLUGIN_QUEUE") or default_queue(environ)


def sge_env(environ=os.environ) -> dict[str, str]:
    """The SGE/DRMAA variables, keeping any value already set in *environ*."""
    env = {
        "SGE_ROOT": environ.get("SGE_ROOT") or DEFAULT_SGE_ROOT,
        "SGE_CELL": environ.get("SGE_CELL") or DEFAULT_SGE_CELL,
    }
    lib = drmaa_library_path(environ)
    if lib:
        env["DRMAA_LIBRARY_PATH"] = lib
    return env


def preload_value(environ=os.environ) -> str | None:
    """LD_PRELOAD with libjemalloc added, or None when nothing needs adding."""
    jm = jemalloc_path()
    current = environ.get("LD_PRELOAD", "")
    if not jm or jm in current.replace(" ", ":").split(":"):
        return None
    return f"{jm}:{current}" if current else jm


def apply_sge_env(environ=os.environ) -> dict[str, str]:
    """Fill in the SGE/DRMAA variables that are missing (not LD_PRELOAD)."""
    env = sge_env(environ)
    for k, v in env.items():
        environ.setdefault(k, v)
    return env


def command_env(extra=None) -> dict[str, str]:
    """Environment for running qstat/qsub/qacct as subprocesses."""
    env = dict(os.environ)
    apply_sge_env(env)
    if extra:
        env.update(extra)
    return env


def grid_engine_installed() -> bool:
    """qstat on PATH and libdrmaa present (says nothing about the daemons)."""
    return shutil.which("qstat") is not None and drmaa_library_path() is not None


def reexec_with_drmaa_preload(argv: list[str] | None = None) -> None:
    """Re-exec this interpreter with LD_PRELOAD=libjemalloc when DRMAA needs it.

    Call at the very start of a process that will import drmaa (the job
    service); returns normally when nothing has to change.  Never returns
    after a successful exec.
    """
    if os.environ.get(REEXEC_MARKER) == "1" or drmaa_library_path() is None:
        return
    preload = preload_value()
    if preload is None:
        return
    if "drmaa" in sys.modules:
        raise DrmaaUnavailable("drmaa was imported before reexec_with_drmaa_preload()")
    env = dict(os.environ)
    apply_sge_env(env)
    env["LD_PRELOAD"] = preload
    env[REEXEC_MARKER] = "1"
    args = argv if argv is not None else [sys.executable, *sys.orig_argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, args, env)


def import_drmaa():
    """Import the ``drmaa`` package after setting the SGE variables.

    Raises DrmaaUnavailable with an actionable message when the library is
    missing or cannot be loaded in this process.
    """
    if "drmaa" in sys.modules:
        return sys.modules["drmaa"]
    apply_sge_env()
    if drmaa_library_path() is None:
        raise DrmaaUnavailable(
            "libdrmaa not found (install gridengine-drmaa1.0: run sge/setup_gridengine.sh "
            "or set DRMAA_LIBRARY_PATH)")
    try:
        import drmaa  # noqa: PLC0415 - must follow the environment set-up
    except (OSError, RuntimeError) as exc:
        hint = ""
        if "static TLS" in str(exc):
            hint = (f"; start the process with LD_PRELOAD={jemalloc_path()} "
                    "(eval \"$(sge/setup_gridengine.sh --print-env)\", "
                    "`python -m sge.env exec -- ...`, or sge.env.reexec_with_drmaa_preload())")
        raise DrmaaUnavailable(f"cannot load libdrmaa: {exc}{hint}") from exc
    return drmaa


def _add_queues_and_preload(env: dict, environ) -> dict:
    """The queue variables of *environ* into *env* and, when libdrmaa is there, the preload."""
    env["ION_SGE_QUEUE"] = default_queue(environ)
    env["ION_SGE_PLUGIN_QUEUE"] = plugin_queue(environ)
    preload = preload_value(environ) if env.get("DRMAA_LIBRARY_PATH") else None
    if preload:
        env["LD_PRELOAD"] = preload
    return env


def export_lines(environ=os.environ) -> list[str]:
    env = _add_queues_and_preload(sge_env(environ), environ)
    return [f"export {k}={v}" for k, v in env.items()]


def main(argv: list[str]) -> int:
    if not argv:
        print("\n".join(export_lines()))
        return 0
    if argv[0] == "exec":
        cmd = argv[1:]
        if cmd and cmd[0] == "--":
            cmd = cmd[1:]
        if not cmd:
            print("usage: python -m sge.env exec -- CMD [ARGS...]", file=sys.stderr)
            return 2
        env = dict(os.environ)
        apply_sge_env(env)
        _add_queues_and_preload(env, env)
        try:
            os.execvpe(cmd[0], cmd, env)
        except FileNotFoundError:
            print(f"sge.env: command not found: {cmd[0]}", file=sys.stderr)
            return 127
    print("usage: python -m sge.env [exec -- CMD ...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
