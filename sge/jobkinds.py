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

from rundb.models import AnalysisJob, JobState, PluginResultJob

from .backends.base import with_queue

log = logging.getLogger(__name__)

_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,30}$")

# Environment an analysis job needs to reach the database and find its files. Under SGE a
# job does not inherit the submitter's environment, so it is passed explicitly.
_ANALYSIS_ENV_PREFIXES = ("ION_", "DATABASE_", "DJANGO_", "CELERY_", "SGE_")
_ANALYSIS_ENV_NAMES = ("PATH", "LANG", "LC_ALL", "HOME", "TZ", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV",
                       "SECRET_KEY", "REDIS_URL", "ALLOWED_HOSTS", "DEBUG", "LOG_LEVEL", "DRMAA_LIBRARY_PATH")
# Plugin jobs get only the basics: the launch script exports the plugin environment itself.
_PLUGIN_ENV_NAMES = ("PATH", "LANG", "LC_ALL", "TZ")


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


def _pick_env(names=(), prefixes=()):
    return {k: v for k, v in os.environ.items() if k in names or k.startswith(prefixes)}


class PluginJobKind(JobKind):
    tag = "prj"
    model = PluginResultJob

    def rows(self):
        return PluginResultJob.objects.select_related("plugin_result__plugin")

    def candidates(self):
        return super().candidates().prefetch_related("depends_on")

    def exitcode_file(self, row) -> str:
        # The launch script writes this file itself; the backend wrapper writes the same one.
        from plugin.services.launch_script import exit_code_path
        return str(exit_code_path(row, self.work_dir(row)))

    def job_env(self, row) -> dict:
        return _pick_env(_PLUGIN_ENV_NAMES)

    def queue(self) -> str:
        from django.conf import settings
        return getattr(settings, "ION_SGE_PLUGIN_QUEUE", "")

    def dependencies(self, row) -> list:
        return list(row.depends_on.all())

    def state_for_exit(self, code):
        # The launch script's own protocol: TERM -> Cancelled (143), USR1 -> Timed Out (124).
        if code == 143:
            return JobState.CANCELLED
        if code == 124:
            return JobState.TIMED_OUT
        return JobState.ERROR

    def on_final(self, pk) -> None:
        """Store the job's results.json in its run (its callback may not have reached the
        server); once every job of the run has finished, record the run's disk usage."""
        from plugin.services.pluginresults import update_usage
        from plugin.services.results_store import ingest_results_json
        row = PluginResultJob.objects.select_related("plugin_result__plugin", "plugin_result__result").get(pk=pk)
        pr = row.plugin_result
        try:
            ingest_results_json(row)
        except Exception:  # bookkeeping of its own: disk usage is still recorded
            log.exception("storing results.json of plugin job %s failed", pk)
        if not pr.plugin_result_jobs.filter(state__in=JobState.ACTIVE).exists():
            update_usage(pr)


class AnalysisJobKind(JobKind):
    tag = "ana"
    model = AnalysisJob

    def job_env(self, row) -> dict:
        return _pick_env(_ANALYSIS_ENV_NAMES, _ANALYSIS_ENV_PREFIXES)


KINDS = (PluginJobKind(), AnalysisJobKind())


class Naming:
    """Grid job names <prefix>_<tag>_<pk> and their parsing."""

    def __init__(self, prefix: str, kinds=KINDS):
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
