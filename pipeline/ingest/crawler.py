"""One crawl over `<ION_RESULTS_ROOT>/<instrument>/<run folder>/`.

Each run folder is ingested on its own (`runs.ingest_run_folder`): a failure is logged and
reported and the crawl goes on. Finished runs whose report exists (or needs none) are
skipped without reading anything, so a pass over an unchanged tree costs one query plus
directory listings.
"""
import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from rundb.models import Experiment, Results

from .explog import EXPLOG, EXPLOG_FINAL
from .runs import AUTO_MARKER, ERROR, SKIPPED, UNCHANGED, IngestOutcome, has_explog, ingest_run_folder, run_folder_key
from .transfer import FINISHED, MISSING_FILES, find_run_data

logger = logging.getLogger(__name__)

# Folders at the top of the results root that are not instruments.
NON_INSTRUMENT_DIRS = {"plugins", "analysis", "lost+found", "archive", "output", "pluginstore", "referenceLibrary", "tmp"}
_ADVISORY_LOCK_ID = 0x10C7A4  # arbitrary constant: "one crawler at a time" across processes
_local_lock = threading.Lock()
# Folders whose ingest failed: (explog mtimes) -> reason. A folder is retried when its explog
# files change; until then the failure is reported again without re-reading or re-logging.
_failed = {}


@dataclass
class CrawlReport:
    root: str
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    busy: bool = False  # another crawl held the lock; nothing was done
    folders_seen: int = 0
    skipped_finished: int = 0
    outcomes: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def errors(self):
        return [o for o in self.outcomes if o.action == ERROR]

    @property
    def reports_started(self):
        return [o.result_id for o in self.outcomes if o.result_id]

    def summary(self):
        if self.busy:
            return f"crawl of {self.root}: another crawl is running, nothing done"
        parts = [f"{a} {self.count(a)}" for a in ("created", "updated", "unchanged", "skipped", "error")]
        return (
            f"crawled {self.folders_seen} run folder(s) under {self.root} in {self.seconds:.2f}s: "
            + ", ".join(parts)
            + f", finished and skipped {self.skipped_finished}, reports started {len(self.reports_started)}"
        )

    def as_dict(self):
        return {
            "root": self.root,
            "seconds": round(self.seconds, 3),
            "busy": self.busy,
            "folders_seen": self.folders_seen,
            "skipped_finished": self.skipped_finished,
            "reports_started": self.reports_started,
            "outcomes": [o.as_dict() for o in self.outcomes],
        }


def _subdirs(path):
    """Sorted non-hidden sub-directories; an unreadable directory yields nothing."""
    try:
        with os.scandir(path) as entries:
            names = [e.name for e in entries if not e.name.startswith(".") and e.is_dir()]
    except OSError as exc:
        logger.warning("cannot list %s: %s", path, exc)
        return []
    return sorted(names)


def _excluded_names(root):
    """Top-level names that are not instruments: fixed ones plus where plugins/reports live."""
    names = set(NON_INSTRUMENT_DIRS)
    for configured in (getattr(settings, "ION_PLUGIN_ROOT", None), getattr(settings, "ION_REPORT_ROOT", None)):
        if not configured:
            continue
        try:
            rel = Path(run_folder_key(configured)).relative_to(root)
        except ValueError:
            continue
        if rel.parts:
            names.add(rel.parts[0])
    return names


def candidate_folders(root):
    """Run folders `<root>/<instrument>/<run>` (any folder; explog presence is checked later)."""
    root = Path(run_folder_key(root))
    excluded = _excluded_names(root)
    for instrument in _subdirs(root):
        if instrument in excluded:
            continue
        for run in _subdirs(root / instrument):
            yield root / instrument / run


@contextlib.contextmanager
def _crawl_lock():
    """Only one crawl at a time: PostgreSQL advisory lock across processes, else in-process."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_LOCK_ID])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK_ID])
    else:
        got = _local_lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                _local_lock.release()


def _known_runs(root):
    """expDir -> (ftpStatus, autoAnalyze, auto started?, has a report) for runs under root."""
    prefix = run_folder_key(root).rstrip("/") + "/"
    rows = Experiment.objects.filter(expDir__startswith=prefix).values_list(
        "pk", "expDir", "ftpStatus", "autoAnalyze", "metaData"
    )
    rows = list(rows)
    with_reports = set(
        Results.objects.filter(experiment_id__in=[r[0] for r in rows]).values_list("experiment_id", flat=True)
    )
    known = {}
    for pk, exp_dir, status, auto, meta in rows:
        started = isinstance(meta, dict) and bool(meta.get(AUTO_MARKER))
        known[exp_dir] = (status, auto, started, pk in with_reports)
    return known


def _needs_ingest(folder, known, auto_analysis):
    state = known.get(str(folder))
    if state is None:
        return True
    status, auto, started, has_report = state
    if status in FINISHED:
        # Finished: only the automatic report can still be missing.
        return auto_analysis and auto and not started and not has_report
    if status == MISSING_FILES:
        kind, _ = find_run_data(folder)
        return bool(kind)  # cheap presence check; full ingest only once data arrived
    return True


def crawl_once(results_root=None, *, auto_analysis=True) -> CrawlReport:
    """Ingest every changed run folder under the results root once."""
    root = Path(run_folder_key(results_root or settings.ION_RESULTS_ROOT))
    report = CrawlReport(root=str(root))
    if not root.is_dir():
        logger.warning("results root %s does not exist; nothing to crawl", root)
        report.seconds = time.time() - report.started
        return report
    with _crawl_lock() as got:
        if not got:
            report.busy = True
            return report
        known = _known_runs(root)
        for folder in candidate_folders(root):
            if not has_explog(folder):
                continue
            report.folders_seen += 1
            if not _needs_ingest(folder, known, auto_analysis):
                report.skipped_finished += 1
                continue
            report.outcomes.append(_ingest_isolated(folder, auto_analysis))
    report.seconds = time.time() - report.started
    logger.info(report.summary())  # each failure was logged once, when it first happened
    return report


def _explog_signature(folder):
    sig = []
    for name in (EXPLOG, EXPLOG_FINAL):
        try:
            st = os.stat(folder / name)
            sig.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((name, None, None))
    return tuple(sig)


def _ingest_isolated(folder, auto_analysis):
    key = str(folder)
    signature = _explog_signature(folder)
    failed = _failed.get(key)
    if failed is not None and failed[0] == signature:
        return IngestOutcome(key, ERROR, reason=failed[1])
    try:
        outcome = ingest_run_folder(folder, auto_analysis=auto_analysis)
    except Exception as exc:  # one broken run must not stop the others; retried next pass
        logger.exception("ingest of %s failed", folder)
        return IngestOutcome(key, ERROR, reason=f"{type(exc).__name__}: {exc}")
    if outcome.action == ERROR:  # bad explog: wait until the instrument rewrites it
        logger.warning("run folder %s not ingested: %s", key, outcome.reason)
        _failed[key] = (signature, outcome.reason)
    else:
        _failed.pop(key, None)
        if outcome.action not in (UNCHANGED, SKIPPED):
            logger.info("%s %s: %s", outcome.action, folder, ", ".join(outcome.changed))
    return outcome


def crawl_forever(interval, *, results_root=None, auto_analysis=True, stop=None, on_report=None):
    """Crawl every `interval` seconds (minus the time the crawl took) until `stop()` is true."""
    while True:
        report = crawl_once(results_root, auto_analysis=auto_analysis)
        if on_report is not None:
            on_report(report)
        if stop is not None and stop():
            return report
        time.sleep(max(0.0, interval - report.seconds))
