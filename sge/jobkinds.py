"""The tables of grid jobs the job service drives, and how a row becomes a submission.

Each kind knows its model, the short tag used in grid job names, where its exit-code file
is, which environment its job gets, which rows it must wait for, and what to do once a row
is final. Everything else in the service is the same for every kind.

Job names are ``<prefix>_<tag>_<pk>`` (e.g. ``ion3f9a1c_prj_12``). The prefix defaults to
"ion" plus a short hash of the database identity, so two installations (or a test database
and a development one) sharing one Grid Engine never adopt or kill each other's jobs during
reconciliation; ``ION_JOB_NAME_PREFIX`` overrides it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from django.conf import settings
from django.db import connection

from rundb.models import JobState

from .backends.base import with_queue

log = logging.getLogger(__name__)

_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,30}$")



def default_prefix() -> str:
    s = connection.settings_dict
    ident = "|".join(str(s.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return "ion" + hashlib.sha1(ident.encode()).hexdigest()[:6]


def job_name_prefix(value: str | None = None) -> str:
    prefix = value or settings.ION_JOB_NAME_PREFIX or default_prefix()
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"ION_JOB_NAME_PREFIX {prefix!r}: use a letter then up to 30 letters/digits")
    return prefix


class JobKind:
    tag = ""
    model = None

    def rows(self):
        return self.model.objects.all()

    def candidates(self):
        """Rows to submit next (dependencies are checked by the caller)."""
        return self.rows().filter(state=JobState.QUEUED, grid_engine_jobid__isnull=True,
                                  cancel_requested=False).order_by("pk")

    def exitcode_file(self, row) -> str:
        if not row.script_path:
            return ""  # nothing was submitted for it; the backend falls back to its own record
        return str(Path(row.script_path).with_suffix(".exitcode"))

    def job_env(self, row) -> dict:
        return {}

    def dependencies(self, row) -> list:
        return []

    def native_spec(self, row) -> str:
        """qsub options of the row's job (a queue of the kind's own when it has one)."""
        return with_queue(row.native_spec or "", self.queue())

    def queue(self) -> str:
        return ""  # the backend's default queue

    def state_for_exit(self, code: int | None) -> str:
        return JobState.ERROR

    def on_final(self, pk) -> None:
        """Called after the service moved row *pk* to a final state."""

    def stdout_path(self, row) -> str:
        return row.stdout_path or os.path.join(self.work_dir(row), "drmaa_stdout.txt")

    def work_dir(self, row) -> str:
        return row.work_dir or os.path.dirname(row.script_path)


def pick_env(names=(), prefixes=()):
    """The service's own environment variables a job of some kind gets (under SGE a job does
    not inherit the submitter's environment, so each kind names what it passes on)."""
    return {k: v for k, v in os.environ.items() if k in names or k.startswith(prefixes)}


# The kinds the service drives, registered by the apps that own them from their
# AppConfig.ready() (plugin/apps.py, pipeline/apps.py): the runner never imports its clients.
_KINDS: dict[str, JobKind] = {}
# Called once when the job service starts, before the grid session opens (e.g. the plugin app
# precompiles its SDK and clears what an interrupted install left behind).
_START_HOOKS: list = []


def register_kind(kind: JobKind) -> JobKind:
    if not re.fullmatch(r"[a-z]{2,8}", kind.tag or ""):
        raise ValueError(f"job kind tag {kind.tag!r}: use 2-8 lower-case letters")
    known = _KINDS.get(kind.tag)
    if known is not None and type(known) is not type(kind):
        raise ValueError(f"job kind tag {kind.tag!r} is already taken by {type(known).__name__}")
    _KINDS[kind.tag] = kind
    return kind


def registered_kinds() -> tuple:
    return tuple(_KINDS.values())


def on_service_start(hook):
    if hook not in _START_HOOKS:
        _START_HOOKS.append(hook)
    return hook


def run_start_hooks() -> None:
    for hook in _START_HOOKS:
        hook()


class Naming:
    """Grid job names <prefix>_<tag>_<pk> and their parsing."""

    def __init__(self, prefix: str, kinds=None):
        kinds = registered_kinds() if kinds is None else kinds
        self.prefix = prefix
        self.by_tag = {k.tag: k for k in kinds}
        tags = "|".join(re.escape(t) for t in self.by_tag)
        self._re = re.compile(rf"^{re.escape(prefix)}_({tags})_(\d+)$")

    def name(self, kind: JobKind, pk: int) -> str:
        return f"{self.prefix}_{kind.tag}_{int(pk)}"

    def parse(self, name: str):
        """(kind, pk) for one of our job names, else None."""
        m = self._re.match(name or "")
        return (self.by_tag[m.group(1)], int(m.group(2))) if m else None
