"""Start an analysis: a Results row, its report folder, and a Queued AnalysisJob.

Nothing here runs the pipeline. `start_analysis` leaves an `AnalysisJob` in state Queued
with a shell script in the report folder; the job service picks up Queued rows and submits
them to the Grid Engine or runs them with the local backend. The script runs
`manage.py run_analysis <result pk>`.

Conventions shared with the job service (and plugin launch):
  * `script_path`: `<report dir>/ion_analysis_<NN>.sh` (NN = 00, 01, ... per re-run of the
    same report), executable, `/bin/sh`, starts with `cd <work_dir>` and `exec`s the command,
    so its exit status is the command's. It carries no environment: the backend passes the
    service's own (DATABASE_URL, ION_*, DJANGO_SETTINGS_MODULE) to the job, because the
    report folder is served over HTTP and must not hold secrets.
  * `work_dir`: the report folder; `stdout_path`: `<report dir>/drmaa_stdout.txt`
    (stderr joined). The script does not write an exit-code file: per sge/backends/base.py
    the backend runs it through its wrapper (`/bin/bash <script>`), which writes
    `<work_dir>/<job_name>.exitcode`; `exec` makes the script's status the command's.
"""
import logging
import os
import re
import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.db import transaction

from rundb.files import atomic_write
from rundb.models import AnalysisJob, Experiment, JobState, ReportStorage, Results
from rundb.paths import DIR_MODE

from .ingest.mapping import pretty_run_name
from .runid import dek_run_id

logger = logging.getLogger(__name__)

STDOUT_NAME = "drmaa_stdout.txt"
SCRIPT_TEMPLATE_NAME = "ion_analysis_{index:02d}.sh"
MAX_NAME_LENGTH = 200  # folder names: keep well below NAME_MAX with the _NNN suffix


class AnalysisLaunchError(Exception):
    """An analysis cannot be started (the message says why, for the user)."""


# -- names ----------------------------------------------------------------------------------

def safe_report_name(name):
    """A report name usable as a folder name: `[A-Za-z0-9_.+-]`, spaces become `_`."""
    text = re.sub(r"\s+", "_", str(name or "").strip())
    text = re.sub(r"[^A-Za-z0-9_.+\-]", "_", text).lstrip(".")
    return text[:MAX_NAME_LENGTH] or "Report"


def auto_report_name(experiment):
    """`Auto_<run name without R_date prefix>_<exp pk>`, or the explog's AutoAnalysisName."""
    log = experiment.log if isinstance(experiment.log, dict) else {}
    stated = str(log.get("autoanalysisname") or "").strip()
    base = stated if stated and stated.lower() != "none" else f"Auto_{pretty_run_name(experiment.expName)}"
    return safe_report_name(f"{base}_{experiment.pk}")


def manual_report_name(experiment):
    """Default name of a report started by hand (`manage.py analyze`, re-analyse API)."""
    return safe_report_name(f"{pretty_run_name(experiment.expName) or 'Run'}_{experiment.pk}")


def run_id(results_name, pk):
    """Five characters [A-Z0-9] identifying a report (read-group prefix)."""
    return dek_run_id(f"{results_name}_{pk}")


# -- storage --------------------------------------------------------------------------------

def default_report_storage():
    """The ReportStorage for settings.ION_REPORT_ROOT (created on first use)."""
    root = str(Path(settings.ION_REPORT_ROOT))
    storage = ReportStorage.objects.filter(dirPath=root).order_by("-default", "pk").first()
    if storage is None:
        storage = ReportStorage.objects.create(
            name="Home",
            dirPath=root,
            webServerPath=settings.ION_REPORT_WEB_ROOT,
            default=not ReportStorage.objects.filter(default=True).exists(),
        )
    return storage


def report_link(result):
    """URL path of the report folder: `<webServerPath>/<resultsName>_<pk:03d>/`."""
    base = (result.reportstorage.webServerPath or "").rstrip("/")
    return f"{base}/{result.resultsName}_{result.pk:03d}/"


# -- Results --------------------------------------------------------------------------------

def create_report(experiment: Experiment, *, name=None, metadata=None) -> Results:
    """A new Results row (status Pending) for `experiment`, with runid and reportLink set."""
    name = safe_report_name(name) if name else manual_report_name(experiment)
    eas = experiment.eas_set.order_by("-pk").first()
    with transaction.atomic():
        result = Results.objects.create(
            experiment=experiment,
            eas=eas,
            reportstorage=default_report_storage(),
            resultsName=name,
            reference=(eas.reference or "") if eas else "",
            status="Pending",
            processedCycles=0,
            processedflows=0,
            framesProcessed=0,
            timeToComplete="0",
            analysisVersion="_",
            metaData=dict(metadata or {}),
        )
        result.runid = run_id(result.resultsName, result.pk)
        result.reportLink = report_link(result)
        result.log = result.reportLink + "log.html"
        result.save(update_fields=["runid", "reportLink", "log"])
        if experiment.plan_id:
            projects = list(experiment.plan.projects.all())
            if projects:
                result.projects.add(*projects)
        if not experiment.pinnedRepResult:
            Experiment.objects.filter(pk=experiment.pk).update(repResult=result)
            experiment.repResult = result
    return result


# -- job script -----------------------------------------------------------------------------

def analysis_command(result):
    """argv of the analysis job: this interpreter, this project's manage.py. Started through
    the API with no ION_NET_LOCATION configured, the job is told the address the request
    came to, so the plugins it launches call back there (plugin/services/config.py)."""
    from plugin.services.config import request_location

    manage = Path(settings.BASE_DIR) / "manage.py"
    argv = [sys.executable, str(manage), "run_analysis", str(result.pk)]
    location = "" if settings.ION_NET_LOCATION else request_location()
    return (["env", f"ION_NET_LOCATION={location}"] + argv) if location else argv


def write_job_script(path, argv, *, work_dir, description=""):
    """Write an executable /bin/sh script that cd's to `work_dir` and execs `argv`.

    Written with rundb.files.atomic_write, so a backend never sees half a script.
    """
    path = Path(path)
    lines = ["#!/bin/sh"]
    if description:
        lines += [f"# {line}" for line in str(description).splitlines()]
    lines += [
        f"cd {shlex.quote(str(work_dir))} || exit 1",
        "exec " + " ".join(shlex.quote(str(a)) for a in argv),
        "",
    ]
    atomic_write(path, "\n".join(lines), mode=0o755)
    return path


def start_analysis(result: Results) -> AnalysisJob:
    """Create the report folder and a Queued AnalysisJob; returns the active job if one exists."""
    try:
        report_dir = Path(result.report_dir)  # rundb.paths.safe_join: never outside the storage root
    except ValueError as exc:
        raise AnalysisLaunchError(f"report {result.pk} has no usable folder: {exc}") from exc
    with transaction.atomic():
        # Lock the report row so two callers cannot queue two jobs for it.
        Results.objects.select_for_update().filter(pk=result.pk).first()
        active = result.analysis_jobs.filter(state__in=JobState.ACTIVE).order_by("pk").first()
        if active is not None:
            return active
        try:
            report_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise AnalysisLaunchError(f"cannot create report folder {report_dir}: {exc.strerror or exc}") from exc
        index = result.analysis_jobs.count()
        script = report_dir / SCRIPT_TEMPLATE_NAME.format(index=index)
        write_job_script(
            script,
            analysis_command(result),
            work_dir=report_dir,
            description=f"Torrent Server analysis of report {result.resultsName!r} (Results {result.pk}).",
        )
        (report_dir / "primary.key").write_text(f"ResultsPK = {result.pk}\n")
        job = AnalysisJob.objects.create(
            result=result,
            state=JobState.QUEUED,
            script_path=str(script),
            work_dir=str(report_dir),
            stdout_path=str(report_dir / STDOUT_NAME),
        )
    logger.info("queued analysis job %s for report %s (%s)", job.pk, result.pk, result.resultsName)
    return job


def launch_reanalysis(experiment: Experiment, *, name=None):
    """Another report of `experiment` (CLI `analyze`, re-analyse API): (Results, AnalysisJob)."""
    folder = experiment.expDir or ""
    if not folder or not os.path.isdir(folder):
        raise AnalysisLaunchError(f"run folder of experiment {experiment.pk} does not exist: {folder or '(none)'}")
    result = create_report(experiment, name=name)
    return result, start_analysis(result)
