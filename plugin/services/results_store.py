"""The job service's copy of a plugin's results.json into PluginResult.store ("pluginStore").

The launch script PATCHes results.json to the API when the plugin ends, but that callback can
fail (server on another address, down, overloaded). Once the job has ended the job service
reads the same file (plugin/jobkinds.py, PluginJobKind.on_final), so the store is filled either
way. It never goes backwards: only a file written after its job was launched counts, and only the
newest such file of the run's finished jobs (a POST job's post/results.json is newer than the
DEFAULT job's); when the store already holds that content nothing is written.
A results.json that cannot be stored leaves the job's state alone and says why in its message.
"""
import json
import logging
from datetime import timedelta
from pathlib import Path

from django.db import transaction

from rundb.models import JobState, PluginResult, PluginResultJob

log = logging.getLogger(__name__)

RESULTS_JSON = "results.json"
MAX_RESULTS_JSON = 16 * 1024 * 1024  # bytes; a store is a summary, not a data file
# Grid nodes' clocks may lag the database's a little.
CLOCK_SLACK = timedelta(seconds=5)
MAX_MESSAGE = 2000


def _written_during(job, path):
    """mtime (ns) of *path* when it was written after *job* started, else None."""
    try:
        st = path.stat()
    except OSError:
        return None
    # The row's creation (at launch), not its start time: a start seen late by a poll can
    # come after a quick plugin wrote its file.
    if job.created is not None and st.st_mtime < (job.created - CLOCK_SLACK).timestamp():
        return None  # left over from an earlier run in the same folder
    return st.st_mtime_ns


def _results_path(job):
    return Path(job.work_dir) / RESULTS_JSON if job.work_dir else None


def newest_results_json(pr):
    """(job, path) of the newest results.json written by a finished job of run *pr*; None when
    there is none. Folders an active job of the run also writes to are skipped (its file may
    be half-written; that job's own end brings it in)."""
    jobs = list(PluginResultJob.objects.filter(plugin_result=pr))
    busy = {str(_results_path(j)) for j in jobs if j.state in JobState.ACTIVE and j.work_dir}
    best = None
    for job in jobs:
        path = _results_path(job)
        if job.state not in JobState.FINAL or path is None or str(path) in busy:
            continue
        mtime = _written_during(job, path)
        if mtime is not None and (best is None or mtime > best[0]):
            best = (mtime, job, path)
    return best[1:] if best else None


def read_results_json(path):
    """The JSON object in *path*; None for an empty file; ValueError says what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_RESULTS_JSON:
            raise ValueError(f"{size} bytes, more than the {MAX_RESULTS_JSON} allowed")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"must hold a JSON object, not {type(data).__name__}")
    return data


def _note(job, text):
    """Append *text* to the job's message (its state stays as it is)."""
    current = PluginResultJob.objects.filter(pk=job.pk).values_list("message", flat=True).first() or ""
    message = f"{current}; {text}" if current else text
    PluginResultJob.objects.filter(pk=job.pk).update(message=message[:MAX_MESSAGE])


def ingest_results_json(job):
    """Store the results.json of finished *job* (a PluginResultJob) in its run's store when it
    is the run's newest; returns True when the store changed. Never raises for a bad file."""
    found = newest_results_json(job.plugin_result)
    if found is None or found[0].pk != job.pk and found[1] != _results_path(job):
        return False  # nothing written by this job, or a newer file of another job wins
    path = found[1]
    try:
        data = read_results_json(path)
    except ValueError as exc:
        text = f"{RESULTS_JSON} not stored: it {exc}"
        log.warning("plugin result %s, job %s: %s (%s)", job.plugin_result_id, job.pk, text, path)
        _note(job, text)
        return False
    if data is None:
        return False
    with transaction.atomic():
        pr = PluginResult.objects.select_for_update().get(pk=job.plugin_result_id)
        if pr.store == data:
            return False  # the job's own callback already stored it
        pr.store = data
        pr.save(update_fields=["store"])
    log.info("plugin result %s: store filled from %s by the job service", pr.pk, path)
    return True
