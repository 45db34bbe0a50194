"""The analysis job of one report: `run_analysis(result_pk)` walks the steps the package
docstring lists, recording each in Results.status and ReportLog.html; any failure ends the
report in `Error: <reason>`."""
import logging
import os
import shutil
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rundb.models import Experiment, Results

from ..metrics_store import store_metrics
from ..references import index_version
from .inputs import read_process_parameters, resolve_inputs
from .params import write_params
from .plugins import PipelinePlugins
from .status import (COMPLETED, PLUGINS, STARTED, UPLOADING, AnalysisError, AnalysisOutcome, ReportLog,
                     error_status, set_status)
from .wells import basecall_wells

log = logging.getLogger(__name__)


def run_analysis(result_pk, *, stream=None, on_status=None, on_block=None):
    """Analyse report `result_pk`; returns an AnalysisOutcome (status Completed or Error: ...).

    `stream`: where log lines also go (the job's stdout). `on_status(status)` is called after
    each status change (tests use it to interfere at a given stage); `on_block(block id)` after
    a block's BLOCK plugins are launched. Raises Results.DoesNotExist only when there is no
    such report (there is nowhere to record an error then).
    """
    started = time.monotonic()
    result = Results.objects.select_related("experiment", "eas", "reportstorage").get(pk=result_pk)
    run = _AnalysisRun(result, started, on_status=on_status, on_block=on_block)
    failed = run.open_log(stream)
    if failed is not None:
        return failed
    run.begin()
    try:
        outcome = run.execute()
    except Exception as exc:  # noqa: BLE001 - any failure ends this report in Error, nothing else
        outcome = run.fail(exc)
    run.rlog.write_html()
    return outcome


class _AnalysisRun:
    """One analysis in progress: the report row, its log, the callbacks and what the steps
    have produced so far (the stage summary is kept for the outcome of a later failure)."""

    def __init__(self, result, started, *, on_status=None, on_block=None):
        self.result, self.started = result, started
        self.report_dir = Path(result.report_dir)
        self.on_status, self.on_block = on_status, on_block
        self.rlog = None
        self.summary = None

    # -- reporting ---------------------------------------------------------------------------
    def open_log(self, stream):
        """Create the report folder and its log; an Error outcome when the folder cannot be made."""
        try:
            self.report_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = f"cannot create report folder {self.report_dir}: {exc.strerror or exc}"
            set_status(self.result, error_status(reason), metaData=dict(self.result.metaData or {}, error=reason))
            return AnalysisOutcome(self.result.pk, self.result.status, reason)
        self.rlog = ReportLog(self.report_dir, stream)
        return None

    def notify(self, status):
        if self.on_status is not None:
            self.on_status(status)

    def say(self, message, *, status=True):
        self.rlog.write(message if not status else f"status: {message}")
        if status:
            set_status(self.result, message)
            self.notify(self.result.status)

    def stage_progress(self, label):
        if label != COMPLETED:  # the report is complete only after metrics and plugins
            self.say(label)

    def elapsed(self):
        return time.monotonic() - self.started

    # -- the steps ---------------------------------------------------------------------------
    def begin(self):
        result = self.result
        meta = dict(result.metaData or {})
        meta.pop("error", None)
        set_status(result, STARTED, metaData=meta)
        self.rlog.write(f"analysis of report {result.resultsName!r} (Results {result.pk}), pid {os.getpid()}")
        self.rlog.write(f"status: {STARTED}")
        self.notify(STARTED)

    def execute(self):
        inputs = self.prepare()
        plugins = self.start_plugins(inputs)
        stage_dir = self.basecall(inputs, plugins)
        self.summary = self.stages(inputs, stage_dir)
        self.upload(inputs)
        self.say(PLUGINS)
        plugins.finish()
        return self.complete()

    def prepare(self):
        """Resolve the inputs, log them, start from a clean basecaller_results/ and write the
        parameter files."""
        inputs = resolve_inputs(self.result)
        self.rlog.write(_describe(inputs))
        if inputs.reference_name and not inputs.reference:
            self.rlog.write(f"warning: {inputs.reference_note}; the run is analysed without alignment")
        clear_outputs(self.report_dir)
        write_params(self.result, inputs)
        return inputs

    def start_plugins(self, inputs):
        plugins = PipelinePlugins(self.result, inputs, self.say, self.on_block)
        plugins.prepare()
        plugins.level("pre")
        plugins.check_separator()
        return plugins

    def basecall(self, inputs, plugins):
        """Flowgram input: basecall it (BLOCK plugins fire per block); the folder the stages read."""
        if inputs.data_kind != "flowgrams":
            return inputs.run_dir

        def block_basecalled(block_id):
            plugins.block_done(block_id)
            plugins.check_separator()

        stage_dir = basecall_wells(self.result, inputs, self.say, block_basecalled)
        plugins.check_separator()
        return stage_dir

    def stages(self, inputs, stage_dir):
        from pipeline.stages.run import run_stages

        exp = self.result.experiment
        summary = run_stages(
            str(stage_dir), str(self.report_dir), barcode_kit=inputs.barcode_kit,
            reference=inputs.reference.as_stage_arg() if inputs.reference else None,
            flow_order=inputs.flow_order, library_key=inputs.library_key, progress=self.stage_progress,
            run_id=self.result.runid or None, samples=inputs.samples, flows=inputs.flows,
            test_fragments=inputs.test_fragments, tf_key=inputs.tf_key,
            run_name=exp.expName, instrument=exp.pgmName, thumbnail=inputs.thumbnail,
        )
        counts = ", ".join(f"{k} {v}" for k, v in summary["read_counts"].items() if v)
        self.rlog.write(f"reads: {summary['total_reads']} ({counts or 'none'})")
        return summary

    def upload(self, inputs):
        """Metric rows and the report's processing fields; an empty run stops here in Error."""
        result, summary = self.result, self.summary
        self.say(UPLOADING)
        written = store_metrics(result, summary["metrics"])
        self.rlog.write("metric rows: " + ", ".join(f"{k} {len(v)}" for k, v in written.items()))
        process = read_process_parameters(inputs.run_dir)
        flows = inputs.flows or len(summary.get("flow_order") or "") or 0
        fields = {
            "processedflows": int(flows),
            "processedCycles": _int(process.get("cyclesProcessed")) or result.experiment.cycles or 0,
            "framesProcessed": _int(process.get("framesProcessed")),
            "analysisVersion": analysis_version(bool(summary.get("reference"))),
            "timeStamp": timezone.now(),
        }
        if result.reportStatus in (None, ""):
            fields["reportStatus"] = "Nothing"
        set_status(result, UPLOADING, **fields)
        Experiment.objects.filter(pk=result.experiment_id).update(resultDate=fields["timeStamp"])
        if summary.get("empty"):
            raise AnalysisError("empty run: the run's basecaller BAM(s) hold no reads")

    def complete(self):
        elapsed = self.elapsed()
        set_status(self.result, COMPLETED, timeToComplete=str(int(round(elapsed))))
        self.rlog.write(f"status: {COMPLETED} in {elapsed:.1f}s")
        self.notify(COMPLETED)
        return AnalysisOutcome(self.result.pk, COMPLETED, summary=self.summary, seconds=elapsed)

    def fail(self, exc):
        """Record `exc` as the report's Error status, metaData["error"] and log entry."""
        result = self.result
        reason = _reason_of(exc)
        exp_dir = result.experiment.expDir if result.experiment_id else ""
        if exp_dir and not os.path.isdir(exp_dir) and "run folder" not in reason:
            reason = f"run folder deleted during analysis: {exp_dir} ({reason})"
        self.rlog.write(f"ERROR: {reason}\n" + traceback.format_exc())
        elapsed = self.elapsed()
        try:
            with transaction.atomic():
                meta = dict(Results.objects.filter(pk=result.pk).values_list("metaData", flat=True).first() or {})
                meta["error"] = reason
                set_status(result, error_status(reason), metaData=meta, timeToComplete=str(int(round(elapsed))))
        except Exception:  # noqa: BLE001 - the database may be the problem; the log has it
            log.exception("cannot record the error of report %s", result.pk)
        self.notify(result.status)
        return AnalysisOutcome(result.pk, result.status, reason, summary=self.summary, seconds=elapsed)


def _describe(inputs):
    """One log line naming the inputs the analysis resolved."""
    reference = (inputs.reference.short_name if inputs.reference else
                 f"none ({inputs.reference_note})" if inputs.reference_name else "none")
    return (f"run folder {inputs.run_dir} ({inputs.data_kind}); explog {inputs.explog_name or '(none)'}; "
            f"flows {inputs.flows or '?'}; library key {inputs.library_key}; "
            f"barcode kit {inputs.barcode_kit_name or 'none'}; reference " + reference)


def clear_outputs(report_dir):
    """A re-run of the same report starts from a clean basecaller_results/ (stale per-barcode
    BAMs of a previous run must not be taken for this run's input)."""
    folder = Path(report_dir) / "basecaller_results"
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)


def _reason_of(exc):
    from pipeline.stages.errors import PipelineError

    if isinstance(exc, AnalysisError):
        return exc.reason
    if isinstance(exc, PipelineError):
        return exc.reason
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        return f"{what}: {exc.filename}" if exc.filename else what
    return f"{type(exc).__name__}: {exc}"


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def analysis_version(aligned):
    parts = [f"db:{settings.ION_VERSION}", f"an:{settings.ION_VERSION}"]
    if aligned:
        parts.append(f"al:{index_version()}")
    return ",".join(parts) + ","
