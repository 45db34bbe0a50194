"""The report's plugin section (`GET results/<pk>/pluginresults/`) and stopping a run.

One entry per PluginResult of the report, newest first, then stably sorted by name (so the
newest run of each plugin comes first): Name, Version, Path, URL, Files (html/php in the
folder; with major=true only `*_block` files of major-block plugins), Links (html/php that are
not `_block`), Major, Size, inodes, id, show, State, can_terminate, plugin_result_jobs,
validation_errors. Folders in plugin_out that belong to no run of this report ("orphans", e.g.
restored from an archive) are listed with State "Unknown" and their version from their
startplugin.json.
"""
import json
import os
import re
import shutil
from pathlib import Path

from django.db import transaction

from rundb.models import JobState, PluginResult, PluginResultJob

from .config import OUTPUT_FOLDER
from .launch import pluginresult_state
from .reportinfo import plugin_out_dir, pluginresult_dir, pluginresult_url, url_root
from .results_store import RESULTS_JSON, newest_results_json, read_results_json

API = "/rundb/api/v1"
ORPHAN_RE = re.compile(r"^(?P<name>.+?)_out(?:\.(?P<pk>\d+))?$")
PAGE_SUFFIXES = (".html", ".php")


def _iso(value):
    return value.isoformat() if value else None


def job_dict(job):
    return {
        "id": job.pk,
        "resource_uri": f"/rundb/api/v1/PluginResultJob/{job.pk}/",
        "run_level": job.run_level,
        "state": job.state,
        "grid_engine_jobid": job.grid_engine_jobid,
        "starttime": _iso(job.starttime),
        "endtime": _iso(job.endtime),
        "exit_code": job.exit_code,
        "cancel_requested": job.cancel_requested,
        "config": job.config,
    }


def folder_pages(folder):
    """(all html/php file names sorted, the `_block` ones, the others)."""
    folder = Path(folder)
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.is_file() and e.name.endswith(PAGE_SUFFIXES))
    except OSError:
        names = []
    blocks = [n for n in names if "_block" in n]
    return names, blocks, [n for n in names if "_block" not in n]


def folder_usage(folder):
    """(bytes, inodes) of regular files under `folder` (lstat sizes, symlinks not followed)."""
    size = inodes = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            if not os.path.islink(os.path.join(dirpath, name)):
                size += st.st_size
                inodes += 1
    return size, inodes


def update_usage(pr):
    """Recompute and store a run's disk usage (called once its jobs have all finished)."""
    size, inodes = folder_usage(pluginresult_dir(pr))
    PluginResult.objects.filter(pk=pr.pk).update(size=size, inodes=inodes)
    pr.size, pr.inodes = size, inodes
    return size, inodes


def _entry(pr, major, hidden=frozenset()):
    folder = pluginresult_dir(pr)
    jobs = list(pr.plugin_result_jobs.all())
    all_pages, blocks, links = folder_pages(folder)
    can_terminate = any(j.state in JobState.ACTIVE for j in jobs)
    if pr.size < 0 and jobs and not can_terminate and folder.is_dir():
        update_usage(pr)
    return {
        "Name": pr.plugin.name,
        "Version": pr.plugin.version,
        "Path": str(folder) + "/",
        "URL": pluginresult_url(pr),
        "Files": blocks if major else all_pages,
        "Links": links,
        "Major": pr.plugin.majorBlock,
        "Size": pr.size,
        "inodes": pr.inodes,
        "id": pr.pk,
        "show": pr.plugin.name not in hidden,
        "State": pluginresult_state(pr),
        "can_terminate": can_terminate,
        "plugin_result_jobs": [job_dict(j) for j in jobs],
        "validation_errors": list((pr.validation_errors or {}).get("validation_errors") or []),
        "starttime": _iso(min((j.starttime for j in jobs if j.starttime), default=None)),
        "endtime": _iso(max((j.endtime for j in jobs if j.endtime), default=None)),
    }


def _orphan_version(folder):
    try:
        data = json.loads((folder / "startplugin.json").read_text(encoding="utf-8"))
        return str(data["runinfo"]["plugin"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return "??"


def _orphans(result, known_folders, hidden=frozenset()):
    out_dir = plugin_out_dir(result)
    entries = []
    try:
        folders = sorted(e for e in out_dir.iterdir() if e.is_dir())
    except OSError:
        return entries
    for folder in folders:
        m = ORPHAN_RE.match(folder.name)
        if not m or folder.name in known_folders:
            continue
        all_pages, _blocks, links = folder_pages(folder)
        entries.append({
            "Name": m.group("name"),
            "Version": _orphan_version(folder),
            "Path": str(folder) + "/",
            "URL": f"{url_root(result)}/{OUTPUT_FOLDER}/{folder.name}/",
            "Files": all_pages,
            "Links": links,
            "Major": False,
            "Size": -1,
            "inodes": -1,
            "id": None,
            "show": m.group("name") not in hidden,
            "State": "Unknown",
            "can_terminate": False,
            "plugin_result_jobs": [],
            "validation_errors": [],
            "starttime": None,
            "endtime": None,
        })
    return entries


def list_pluginresults(result, *, major=None, hidden=frozenset()):
    """The report's plugin runs (see module doc). major=True: only major-block plugins and
    their `_block` files; major=False: only the others; None: all, plus orphan folders.
    Plugin names in `hidden` (the caller's ``plugin/show/`` choices) get ``"show": false``."""
    prs = (
        PluginResult.objects.filter(result=result)
        .select_related("plugin", "result__reportstorage")
        .prefetch_related("plugin_result_jobs")
        .order_by("-pk")
    )
    if major is not None:
        prs = prs.filter(plugin__majorBlock=bool(major))
    prs = list(prs)
    entries = [_entry(pr, bool(major), hidden) for pr in prs]
    if major is None:
        known = {f"{pr.plugin.name}_out.{pr.pk}" for pr in prs}
        entries += _orphans(result, known, hidden)
    entries.sort(key=lambda e: e["Name"].lower())  # stable: newest first within a name
    return entries


def launch_summary(pr):
    """How POST results/<pk>/plugin/ reports one launched run."""
    jobs = list(getattr(pr, "launched_jobs", None) or pr.plugin_result_jobs.all())
    return {
        "id": pr.pk,
        "pluginresult": pr.pk,
        "resource_uri": f"{API}/pluginresult/{pr.pk}/",
        "plugin": pr.plugin.name,
        "version": pr.plugin.version,
        "state": pluginresult_state(pr),
        "path": str(pluginresult_dir(pr)),
        "URL": pluginresult_url(pr),
        "jobs": [job_dict(j) for j in jobs],
        "validation_errors": list((pr.validation_errors or {}).get("validation_errors") or []),
    }


class PluginResultBusy(Exception):
    """The run still has queued or running jobs."""


def delete_pluginresult(pr):
    """Delete a finished run and its output folder (else the folder would come back as an
    orphan). Raises PluginResultBusy while a job of the run is active."""
    if pr.plugin_result_jobs.filter(state__in=JobState.ACTIVE).exists():
        raise PluginResultBusy("The plugin is still running: stop it first.")
    folder = pluginresult_dir(pr)
    pr.delete()
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)


def request_stop(pr):
    """Ask the job service to cancel the run's queued/running jobs; returns their pks."""
    active = PluginResultJob.objects.filter(plugin_result=pr, state__in=JobState.ACTIVE)
    pks = list(active.values_list("pk", flat=True))
    PluginResultJob.objects.filter(pk__in=pks, state__in=JobState.ACTIVE).update(cancel_requested=True)
    return pks


def rescan_pluginresult(pr):
    """Re-read a run's output folder (``pluginresult/<pk>/rescan/``): its size and inodes, and
    the newest results.json written by a finished job of the run into the store (the rules of
    results_store: never an older file, never a folder an active job still writes). Returns
    {pluginresult, size, inodes, state, store_updated, store_error}; raises FileNotFoundError
    when the folder is gone."""
    folder = pluginresult_dir(pr)
    if not folder.is_dir() or folder.is_symlink():
        raise FileNotFoundError(str(folder))
    size, inodes = update_usage(pr)
    updated, problem = False, None
    found = newest_results_json(pr)
    if found is not None:
        try:
            data = read_results_json(found[1])
        except ValueError as exc:
            problem = f"{RESULTS_JSON} not stored: it {exc}"
        else:
            if data is not None:
                with transaction.atomic():
                    row = PluginResult.objects.select_for_update().get(pk=pr.pk)
                    if row.store != data:
                        row.store = data
                        row.save(update_fields=["store"])
                        updated = True
    return {"pluginresult": pr.pk, "size": size, "inodes": inodes, "state": pluginresult_state(pr),
            "store_updated": updated, "store_error": problem}
