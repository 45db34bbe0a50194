"""`run_analysis(result_pk)`: the analysis job of one report, from run folder to metric rows
and plugin run levels. The job service runs it as `manage.py run_analysis <pk>` (the script
written by pipeline.analysis_launch); tests and `make run` may call it directly.

Order of work (Results.status shows where it is; names as the original's where it has one):

    Started            resolve the inputs (run folder, explog, barcode kit, reference, keys),
                       write ion_params_NN.json / expMeta.dat, launch PRE plugins
    Base Calling       only for flowgram input (1.wells + bead mask): numpy basecaller ->
                       <report>/basecaller_results/rawlib.basecaller.bam
    Barcode Classification | Read Counting, Alignment (i/n: barcode), TF Processing,
    Metrics, Figures   the streaming stages (pipeline.stages.run.run_stages)
    Uploading Metrics  metric rows replaced in one transaction (pipeline.metrics_store)
    Plugins            DEFAULT, POST, LAST
    Completed          or `Error: <reason>` (first 64 characters; the whole reason and the
                       traceback are in <report>/ReportLog.html and metaData["error"])

Plugin run levels fire when their data is ready (PipelinePlugins below), all in one launch
session (LAST and EXPORT plugins wait for this analysis's plugin jobs only):
    PRE        before the stages; every block_<id> folder of a composite run exists by then
    BLOCK      per block, as soon as that block is basecalled (flowgram input); a run that
               arrives basecalled has no per-block analysis here: its blocks fire after the stages
    SEPARATOR  composite runs, once, as soon as the separator output exists (separator_output)
    DEFAULT, POST, LAST  after the metrics are stored

An error in one report never touches another: everything here is scoped to the report's row
and folder, and the caller (the job) exits non-zero. Missing optional inputs (BaseCaller.json,
bead-find stats, key traces, an uninstalled reference) only leave their metrics at 0/NULL.
"""
import datetime
import html
import json
import logging
import os
import re
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from plugin.services.config import net_location
from rundb.models import Experiment, Results, Template, dnaBarcode

from .ingest.explog import EXPLOG, EXPLOG_FINAL, ExplogError, block_dir, data_blocks, read_explog
from .ingest.explog import flow_order_from_image_map
from .ingest.transfer import WELLS_BLOCK_GLOB, WELLS_FILES, find_run_data
from .metrics_store import store_metrics
from .references import find_installed_reference, index_version

log = logging.getLogger(__name__)

STARTED = "Started"
BASE_CALLING = "Base Calling"
UPLOADING = "Uploading Metrics"
PLUGINS = "Plugins"
COMPLETED = "Completed"
ERROR_PREFIX = "Error: "
STATUS_MAX = Results._meta.get_field("status").max_length
LOG_NAME = "ReportLog.html"
LOG_HTML = "log.html"
DEFAULT_LIBRARY_KEY = "TCAG"
DEFAULT_TF_KEY = "ATCG"
DEFAULT_3PRIME_ADAPTER = "ATCACCGACTGCCCATAGAGAGGCTGAGAC"


class AnalysisError(Exception):
    """The analysis cannot go on; `reason` is one line for the report status and log."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class AnalysisOutcome:
    result_pk: int
    status: str
    reason: str = ""
    summary: dict | None = None
    seconds: float = 0.0

    @property
    def ok(self):
        return self.status == COMPLETED


@dataclass
class Inputs:
    """Everything the stages need, resolved from the database and the run folder."""

    run_dir: Path
    report_dir: Path
    data_kind: str
    explog: dict = field(default_factory=dict)
    explog_name: str = ""
    flows: int | None = None
    flow_order: str | None = None
    library_key: str = DEFAULT_LIBRARY_KEY
    tf_key: str = DEFAULT_TF_KEY
    barcode_kit_name: str = ""
    barcode_kit: list | None = None
    reference_name: str = ""
    reference: object = None  # references.InstalledReference
    reference_note: str = ""
    samples: dict = field(default_factory=dict)
    test_fragments: list = field(default_factory=list)
    blocks: list = field(default_factory=list)  # composite runs: block ids "X0_Y0", ...
    thumbnail: bool = False


# -- report log ------------------------------------------------------------------------------

class ReportLog:
    """Timestamped lines into <report>/ReportLog.html (plain text, as the original) and to
    `stream` (the job's stdout, i.e. drmaa_stdout.txt)."""

    def __init__(self, report_dir, stream=None):
        self.path = Path(report_dir) / LOG_NAME
        self.stream = stream

    def write(self, message):
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        lines = [f"{stamp} {line}" for line in str(message).rstrip("\n").split("\n")]
        text = "\n".join(lines) + "\n"
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # the report folder itself may be gone; keep going on stdout
            log.warning("cannot write %s: %s", self.path, exc)
        if self.stream is not None:
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):
                pass

    def write_html(self):
        """log.html (Results.log points at it): the text log, escaped, in a <pre>."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
            page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Analysis log</title></head>"
                    f"<body><pre>{html.escape(text)}</pre></body></html>\n")
            (self.path.parent / LOG_HTML).write_text(page, encoding="utf-8")
        except OSError:
            pass


# -- status -----------------------------------------------------------------------------------

def short_status(text):
    text = " ".join(str(text).split())
    return text if len(text) <= STATUS_MAX else text[: STATUS_MAX - 3] + "..."


def set_status(result, status, **fields):
    """Update the report's status (and other fields) with one UPDATE, not a full save, so a
    user editing the report's name or metaData meanwhile is not overwritten."""
    status = short_status(status)
    Results.objects.filter(pk=result.pk).update(status=status, **fields)
    result.status = status
    for name, value in fields.items():
        setattr(result, name, value)


def error_status(reason):
    return short_status(ERROR_PREFIX + reason)


# -- inputs -----------------------------------------------------------------------------------

def _blank_none(value):
    text = str(value or "").strip()
    return "" if text.lower() == "none" else text


def read_run_explog(run_dir):
    """(values, file name) of explog_final.txt, else explog.txt (as the crawler chooses);
    ({}, "") when the run folder has neither (an experiment created through the API).
    AnalysisError when the files are there but none is usable (unreadable, garbled, missing
    required keys)."""
    problems = []
    for name in (EXPLOG_FINAL, EXPLOG):
        path = Path(run_dir) / name
        if not path.exists():
            continue
        try:
            parsed = read_explog(path).require()
        except ExplogError as exc:
            problems.append(str(exc))
            continue
        return dict(parsed.values, _blocks=list(parsed.blocks)), name
    if problems:
        raise AnalysisError("unusable explog: " + "; ".join(problems))
    return {}, ""


def barcode_kit_rows(kit_name):
    """The active barcodes of kit `kit_name` as run_stages dicts; AnalysisError if unknown."""
    rows = list(dnaBarcode.objects.filter(name=kit_name).order_by("index", "id_str"))
    if not rows:
        raise AnalysisError(f"unknown barcode kit {kit_name}")
    kit = [
        {"id_str": b.id_str, "sequence": b.sequence, "adapter": b.adapter, "index": b.index,
         "score_mode": b.score_mode, "score_cutoff": b.score_cutoff, "annotation": b.annotation,
         "type": b.type, "name": b.name, "active": b.active}
        for b in rows
    ]
    if not any(b["active"] for b in kit):
        raise AnalysisError(f"barcode kit {kit_name} has no active barcodes")
    return kit


def barcode_samples(eas):
    """{barcode id: sample name} from the analysis settings' barcodedSamples."""
    samples = (eas.barcodedSamples if eas is not None else None) or {}
    if isinstance(samples, str):
        try:
            samples = json.loads(samples)
        except ValueError:
            samples = {}
    out = {}
    if isinstance(samples, dict):
        for sample_name, info in samples.items():
            for bc in (info.get("barcodes") or []) if isinstance(info, dict) else []:
                out[str(bc)] = str(sample_name)
    return out


def _bam_flow_order(run_dir):
    """FO of the first read group of the run's first basecaller BAM, or None."""
    from pipeline.stages.bamio import BamReader
    from pipeline.stages.errors import PipelineError

    folder = Path(run_dir) / "basecaller_results"
    candidates = [folder / "rawlib.basecaller.bam"] + sorted(folder.glob("*_rawlib.basecaller.bam"))
    for path in candidates:
        if not path.is_file():
            continue
        try:
            with BamReader(str(path), chunk_bytes=1 << 16) as bam:
                groups = bam.read_groups()
        except (PipelineError, OSError, ValueError):
            return None  # a broken BAM is reported by the stages with a precise reason
        for rg in groups.values():
            if rg.get("FO"):
                return rg["FO"]
        return None
    return None


def resolve_inputs(result):
    """Inputs of `result`'s analysis; AnalysisError with the reason when they are unusable."""
    exp = result.experiment
    if exp is None:
        raise AnalysisError("report has no experiment")
    run_dir = Path(exp.expDir or "")
    if not exp.expDir or not run_dir.is_dir():
        raise AnalysisError(f"run folder not found: {exp.expDir or '(none)'}")
    eas = result.eas or exp.eas_set.order_by("-pk").first()
    explog, explog_name = read_run_explog(run_dir)

    kind, _missing = find_run_data(run_dir)
    if kind == "raw":
        raise AnalysisError("raw acquisition data (acq_*.dat) is not supported: deliver "
                            "basecaller_results/rawlib.basecaller.bam or a 1.wells with its bead mask")
    if not kind:
        raise AnalysisError(f"empty run: no run data in {run_dir} (expected basecaller_results/"
                            "rawlib.basecaller.bam, <barcode>_rawlib.basecaller.bam or 1.wells)")

    inputs = Inputs(run_dir=run_dir, report_dir=Path(result.report_dir), data_kind=kind,
                    explog=explog, explog_name=explog_name)
    inputs.flows = exp.flows or explog.get("flows") or None
    if isinstance(inputs.flows, str):
        inputs.flows = int(inputs.flows) if inputs.flows.isdigit() else None
    explog_order = flow_order_from_image_map(str(explog.get("image_map") or explog.get("flow_order") or ""))
    inputs.flow_order = (_bam_flow_order(run_dir) if kind in ("basecalled", "barcoded") else None) \
        or exp.flowsInOrder or explog_order or None
    inputs.library_key = ((eas.libraryKey if eas else "") or _blank_none(explog.get("librarykeysequence"))
                          or DEFAULT_LIBRARY_KEY).upper()
    inputs.tf_key = ((eas.tfKey if eas else "") or _blank_none(explog.get("tfkeysequence")) or DEFAULT_TF_KEY).upper()

    kit_name = _blank_none(eas.barcodeKitName if eas else "") or _blank_none(explog.get("barcodeid"))
    inputs.barcode_kit_name = kit_name
    inputs.barcode_kit = barcode_kit_rows(kit_name) if kit_name else None

    ref_name = _blank_none(result.reference) or _blank_none(eas.reference if eas else "") \
        or _blank_none(explog.get("library"))
    inputs.reference_name = ref_name
    if ref_name:
        inputs.reference, inputs.reference_note = find_installed_reference(ref_name)

    if inputs.barcode_kit:
        inputs.samples = barcode_samples(eas)
    else:
        names = [s.name for s in exp.samples.all()] if exp.pk else []
        sample = names[0] if len(names) == 1 else _blank_none(explog.get("sample"))
        if sample:
            inputs.samples = {"rawlib": sample}
    inputs.test_fragments = [
        {"name": t.name, "sequence": t.sequence}
        for t in Template.objects.filter(isofficial=True, key__iexact=inputs.tf_key).order_by("name")
        if t.sequence
    ]
    if (exp.rawdatastyle or "single") != "single":
        inputs.blocks = [b for b in (block_dir(e) for e in data_blocks(explog.get("_blocks") or [])) if b]
    inputs.thumbnail = bool((result.metaData or {}).get("thumb"))
    return inputs


# -- files written for the report ------------------------------------------------------------

def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def _next_index(report_dir, pattern):
    taken = {p.name for p in Path(report_dir).glob(pattern.format(index="??"))}
    index = 0
    while pattern.format(index=f"{index:02d}") in taken:
        index += 1
    return index


def write_params(result, inputs):
    """ion_params_NN.json (NN = next free) and expMeta.dat in the report folder."""
    exp, eas = result.experiment, result.eas
    plan = exp.plan if exp.plan_id else None
    params = {
        "exp_json": _json_safe(model_to_dict(exp, exclude=["plan", "repResult"])),
        "plan": _json_safe(model_to_dict(plan, exclude=["projects"])) if plan else {},
        "experimentAnalysisSettings": _json_safe(model_to_dict(eas)) if eas else {},
        "resultsName": result.resultsName,
        "runid": result.runid,
        "expName": exp.expName,
        "sample": inputs.samples.get("rawlib", ""),
        "chiptype": exp.chipType,
        "rawdatastyle": exp.rawdatastyle or "single",
        "flowOrder": inputs.flow_order or "TACG",
        "flows": inputs.flows or 0,
        "instrumentName": exp.pgmName,
        "platform": exp.platform,
        "referenceName": inputs.reference.short_name if inputs.reference else "",
        "libraryKey": inputs.library_key,
        "tfKey": inputs.tf_key,
        "reverse_primer_dict": {"sequence": (eas.threePrimeAdapter if eas else "") or DEFAULT_3PRIME_ADAPTER},
        "barcodeId": inputs.barcode_kit_name,
        "barcodeInfo": {b["id_str"]: {"sequence": b["sequence"], "adapter": b["adapter"], "index": b["index"],
                                      "sample": inputs.samples.get(b["id_str"], "none")}
                        for b in (inputs.barcode_kit or [])},
        "plugins": _json_safe((eas.selectedPlugins if eas else None) or {}),
        "pathToData": str(inputs.run_dir),
        "dataKind": inputs.data_kind,
        "blockArgs": "fromWells" if inputs.data_kind == "flowgrams" else "fromBasecalled",
        "doThumbnail": inputs.thumbnail,
        "net_location": net_location(),
        "url_path": result.reportLink,
        "aligner": index_version(),
    }
    index = _next_index(inputs.report_dir, "ion_params_{index}.json")
    path = inputs.report_dir / f"ion_params_{index:02d}.json"
    path.write_text(json.dumps(params, indent=1, sort_keys=True, default=str))
    meta = [
        ("Run Name", exp.expName), ("Run Date", exp.date), ("Run Flows", inputs.flows or ""),
        ("Sample", params["sample"]), ("Reference", params["referenceName"] or "none"),
        ("Instrument", exp.pgmName), ("Flow Order", inputs.flow_order or ""),
        ("Library Key", inputs.library_key), ("TF Key", inputs.tf_key), ("Chip Type", exp.chipType),
        ("Barcode Set", inputs.barcode_kit_name or "none"), ("Analysis Name", result.resultsName),
        ("Analysis Date", timezone.now().date()), ("runID", result.runid),
    ]
    (inputs.report_dir / "expMeta.dat").write_text("".join(f"{k} = {v}\n" for k, v in meta))
    return path


def read_process_parameters(run_dir):
    """{key: value} of sigproc's processParameters.txt when the run has one."""
    for rel in ("sigproc_results/processParameters.txt", "processParameters.txt",
                "onboard_results/sigproc_results/processParameters.txt"):
        path = Path(run_dir) / rel
        if path.is_file():
            out = {}
            for line in path.read_text(errors="replace").splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    out[key.strip()] = value.strip()
            return out
    return {}


# -- flowgram input ----------------------------------------------------------------------------

_BLOCK_DIR = re.compile(r"block_X(\d+)_Y(\d+)$")


def _wells_blocks(run_dir):
    """The run's flowgram input as basecaller blocks: one 1.wells for the chip, or one per
    ``onboard_results/sigproc_results/block_X<col>_Y<row>/`` of a composite run (the
    folder name gives the block's place on the chip); each with its bead mask if present.
    Returns (blocks, folder to show as the report's sigproc_results)."""
    from pipeline.basecaller.run import WellsBlock

    def mask_in(folder):
        m = folder / "analysis.bfmask.bin"
        return m if m.is_file() else None

    for rel in WELLS_FILES:
        path = Path(run_dir) / rel
        if path.is_file():
            return [WellsBlock(path, mask_in(path.parent))], path.parent
    blocks = []
    for path in sorted(Path(run_dir).glob(WELLS_BLOCK_GLOB)):
        m = _BLOCK_DIR.search(path.parent.name)
        if not m:
            raise AnalysisError(f"cannot place block folder {path.parent.name} on the chip "
                                "(expected block_X<col>_Y<row>)")
        blocks.append(WellsBlock(path, mask_in(path.parent), row_offset=int(m.group(2)),
                                 col_offset=int(m.group(1))))
    if not blocks:
        raise AnalysisError(f"no 1.wells in {run_dir}")
    blocks.sort(key=lambda b: (b.row_offset, b.col_offset))
    shown = Path(run_dir) / "sigproc_results"
    return blocks, shown if shown.is_dir() else blocks[0].wells.parent.parent


def basecall_wells(result, inputs, say, on_block_done=None):
    """Flowgrams -> <report>/basecaller_results/rawlib.basecaller.bam (+ rawtf, BaseCaller.json,
    analysis.bfmask.stats); returns the folder run_stages should read as its run folder.
    `on_block_done(block id)` as each block of a composite run is basecalled."""
    from pipeline.basecaller.run import BasecallerConfig, BasecallerInputError, basecall_run
    from pipeline.formats.bfmask import MaskFormatError
    from pipeline.formats.wells import WellsFormatError

    blocks, shown = _wells_blocks(inputs.run_dir)
    report = inputs.report_dir
    sigproc = report / "sigproc_results"
    if sigproc.is_symlink() or sigproc.is_file():
        sigproc.unlink()
    elif sigproc.is_dir():
        shutil.rmtree(sigproc)
    # The report sees the run's signal-processing folder (bead mask, key traces) as its own.
    os.symlink(shown, sigproc)
    exp = result.experiment
    config = BasecallerConfig(
        run_id=result.runid or "RUN00", library_key=inputs.library_key, tf_key=inputs.tf_key,
        sample=inputs.samples.get("rawlib", "none") or "none", library=inputs.reference_name or "",
        platform=exp.platform or "PGM", chip_type=exp.chipType or "",
        date=exp.date.isoformat() if exp.date else "",
    )
    eas = result.eas
    if eas is not None and eas.threePrimeAdapter:
        from rundb.models import ThreePrimeAdapter

        adapters = ThreePrimeAdapter.objects.filter(name=eas.threePrimeAdapter)
        adapter = adapters.values_list("sequence", flat=True).first()
        if adapter:
            config.adapter = adapter.upper()
    say(BASE_CALLING)
    try:
        res = basecall_run(None, report / "basecaller_results", blocks=blocks, config=config,
                           on_block_done=_block_callback(on_block_done))
    except (WellsFormatError, BasecallerInputError, MaskFormatError) as exc:
        raise AnalysisError(f"base calling failed: {exc}") from exc
    lib = res.counts.get("lib", {})
    where = f" from {len(blocks)} blocks" if len(blocks) > 1 else ""
    say(f"basecaller{where}: {lib.get('valid', 0)} library reads pass the filters; phasing CF/IE/DR "
        f"= {res.phasing[0]:.4f}/{res.phasing[1]:.4f}/{res.phasing[2]:.4f}", status=False)
    if not inputs.flow_order:
        inputs.flow_order = _bam_flow_order(report)
    return report


def _block_callback(on_block_done):
    """basecall_run's per-block callback as one taking the block id (folder block_<id>)."""
    if on_block_done is None:
        return None

    def done(block):
        m = _BLOCK_DIR.search(Path(block.wells).parent.name)
        if m:
            on_block_done(Path(block.wells).parent.name[len("block_"):])
    return done


def _clear_outputs(report_dir):
    """A re-run of the same report starts from a clean basecaller_results/ (stale per-barcode
    BAMs of a previous run must not be taken for this run's input)."""
    folder = Path(report_dir) / "basecaller_results"
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)


# -- plugins -----------------------------------------------------------------------------------

def launch_level(result, level, say, *, block_id=None, session=None):
    """Launch one plugin run level; a plugin problem is logged, never fails the analysis."""
    from plugin.services.runlevels import launch_runlevel

    try:
        launched = launch_runlevel(result, level, block_id=block_id, session=session)
    except Exception as exc:  # noqa: BLE001 - plugins must not break the report
        say(f"plugins at run level {level}: launch failed: {exc}", status=False)
        log.exception("run level %s of report %s", level, result.pk)
        return []
    if launched:
        where = f" (block {block_id})" if block_id else ""
        names = ", ".join(f"{pr.plugin.name} #{pr.pk}" for pr in launched)
        say(f"plugins at run level {level}{where}: {names}", status=False)
    return launched


SEPARATOR_FILE = "separator.mask.bin"
BEADFIND_STATS = "analysis.bfmask.stats"


def separator_output(inputs):
    """The file whose existence means the chip's beads are separated (SEPARATOR's data), or None.

    The original's signal processing writes sigproc_results/separator.mask.bin; a run folder
    that has one (instrument output) is used as is. This server's stand-in is the chip's
    bead-find summary analysis.bfmask.stats: for flowgram input the basecaller writes
    <report>/basecaller_results/analysis.bfmask.stats once the beads of every block are
    classified; a basecalled run brings the instrument's copy (sigproc_results,
    basecaller_results, onboard_results/sigproc_results or the run folder itself, where
    run_stages finds it too). With none of these, SEPARATOR fires before DEFAULT."""
    report, run = Path(inputs.report_dir), Path(inputs.run_dir)
    sigproc_dirs = [report / "sigproc_results", run / "sigproc_results", run / "onboard_results" / "sigproc_results"]
    candidates = [d / SEPARATOR_FILE for d in sigproc_dirs]
    if inputs.data_kind == "flowgrams":
        candidates.append(report / "basecaller_results" / BEADFIND_STATS)
    else:
        candidates += [d / BEADFIND_STATS for d in (run / "sigproc_results", run / "basecaller_results",
                                                     run / "onboard_results" / "sigproc_results", run)]
    return next((p for p in candidates if p.is_file()), None)


class PipelinePlugins:
    """The plugin run levels of one analysis, in one launch session.

    `prepare()` creates every block folder (so PRE and every later job see them all in
    `block_dirs`); `block_done(id)` launches one block's BLOCK plugins, once; `check_separator()`
    launches SEPARATOR once its data exists (composite runs); `finish()` launches what has not
    fired yet (blocks, then SEPARATOR) and DEFAULT, POST, LAST. `on_block(id)` is called after
    a block's launch (tests use it to watch the jobs while the analysis goes on)."""

    def __init__(self, result, inputs, say, on_block=None):
        from plugin.services.launch import new_session

        self.result, self.inputs, self.say, self.on_block = result, inputs, say, on_block
        self.session = new_session("pipeline")
        self.blocks_done = set()
        self.separator_fired = False

    def level(self, level, block_id=None):
        return launch_level(self.result, level, self.say, block_id=block_id, session=self.session)

    def prepare(self):
        for block in self.inputs.blocks:
            (Path(self.inputs.report_dir) / f"block_{block}").mkdir(exist_ok=True)

    def block_done(self, block_id):
        if block_id not in self.inputs.blocks or block_id in self.blocks_done:
            return
        self.blocks_done.add(block_id)
        self.level("block", block_id)
        if self.on_block is not None:
            self.on_block(block_id)

    def check_separator(self):
        if self.separator_fired or not self.inputs.blocks:
            return
        found = separator_output(self.inputs)
        if found is not None:
            self.separator_fired = True
            self.say(f"separator output {found}: SEPARATOR plugins", status=False)
            self.level("separator")

    def finish(self):
        for block in self.inputs.blocks:
            self.block_done(block)
        self.check_separator()
        if self.inputs.blocks and not self.separator_fired:  # no separator output: before DEFAULT
            self.separator_fired = True
            self.level("separator")
        for level in ("default", "post", "last"):
            self.level(level)


# -- the job -----------------------------------------------------------------------------------

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


def run_analysis(result_pk, *, stream=None, on_status=None, on_block=None):
    """Analyse report `result_pk`; returns an AnalysisOutcome (status Completed or Error: ...).

    `stream`: where log lines also go (the job's stdout). `on_status(status)` is called after
    each status change (tests use it to interfere at a given stage); `on_block(block id)` after
    a block's BLOCK plugins are launched. Raises Results.DoesNotExist only when there is no
    such report (there is nowhere to record an error then).
    """
    started = time.monotonic()
    result = Results.objects.select_related("experiment", "eas", "reportstorage").get(pk=result_pk)
    report_dir = Path(result.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = f"cannot create report folder {report_dir}: {exc.strerror or exc}"
        set_status(result, error_status(reason), metaData=dict(result.metaData or {}, error=reason))
        return AnalysisOutcome(result.pk, result.status, reason)
    rlog = ReportLog(report_dir, stream)

    def say(message, *, status=True):
        rlog.write(message if not status else f"status: {message}")
        if status:
            set_status(result, message)
            if on_status is not None:
                on_status(result.status)

    def stage_progress(label):
        if label != COMPLETED:  # the report is complete only after metrics and plugins
            say(label)

    meta = dict(result.metaData or {})
    meta.pop("error", None)
    set_status(result, STARTED, metaData=meta)
    rlog.write(f"analysis of report {result.resultsName!r} (Results {result.pk}), pid {os.getpid()}")
    rlog.write(f"status: {STARTED}")
    if on_status is not None:
        on_status(STARTED)
    summary = None
    try:
        inputs = resolve_inputs(result)
        rlog.write(
            f"run folder {inputs.run_dir} ({inputs.data_kind}); explog {inputs.explog_name or '(none)'}; "
            f"flows {inputs.flows or '?'}; library key {inputs.library_key}; "
            f"barcode kit {inputs.barcode_kit_name or 'none'}; reference "
            + (inputs.reference.short_name if inputs.reference else
               f"none ({inputs.reference_note})" if inputs.reference_name else "none"))
        if inputs.reference_name and not inputs.reference:
            rlog.write(f"warning: {inputs.reference_note}; the run is analysed without alignment")
        _clear_outputs(report_dir)
        write_params(result, inputs)
        plugins = PipelinePlugins(result, inputs, say, on_block)
        plugins.prepare()
        plugins.level("pre")
        plugins.check_separator()

        stage_dir = inputs.run_dir
        if inputs.data_kind == "flowgrams":
            def block_basecalled(block_id):
                plugins.block_done(block_id)
                plugins.check_separator()

            stage_dir = basecall_wells(result, inputs, say, block_basecalled)
            plugins.check_separator()

        from pipeline.stages.run import run_stages

        summary = run_stages(
            str(stage_dir), str(report_dir), barcode_kit=inputs.barcode_kit,
            reference=inputs.reference.as_stage_arg() if inputs.reference else None,
            flow_order=inputs.flow_order, library_key=inputs.library_key, progress=stage_progress,
            run_id=result.runid or None, samples=inputs.samples, flows=inputs.flows,
            test_fragments=inputs.test_fragments, tf_key=inputs.tf_key,
            run_name=result.experiment.expName, instrument=result.experiment.pgmName,
            thumbnail=inputs.thumbnail,
        )
        counts = ", ".join(f"{k} {v}" for k, v in summary["read_counts"].items() if v)
        rlog.write(f"reads: {summary['total_reads']} ({counts or 'none'})")

        say(UPLOADING)
        written = store_metrics(result, summary["metrics"])
        rlog.write("metric rows: " + ", ".join(f"{k} {len(v)}" for k, v in written.items()))
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

        say(PLUGINS)
        plugins.finish()
        elapsed = time.monotonic() - started
        set_status(result, COMPLETED, timeToComplete=str(int(round(elapsed))))
        rlog.write(f"status: {COMPLETED} in {elapsed:.1f}s")
        if on_status is not None:
            on_status(COMPLETED)
        outcome = AnalysisOutcome(result.pk, COMPLETED, summary=summary, seconds=elapsed)
    except Exception as exc:  # noqa: BLE001 - any failure ends this report in Error, nothing else
        reason = _reason_of(exc)
        exp_dir = result.experiment.expDir if result.experiment_id else ""
        if exp_dir and not os.path.isdir(exp_dir) and "run folder" not in reason:
            reason = f"run folder deleted during analysis: {exp_dir} ({reason})"
        rlog.write(f"ERROR: {reason}\n" + traceback.format_exc())
        elapsed = time.monotonic() - started
        try:
            with transaction.atomic():
                meta = dict(Results.objects.filter(pk=result.pk).values_list("metaData", flat=True).first() or {})
                meta["error"] = reason
                set_status(result, error_status(reason), metaData=meta, timeToComplete=str(int(round(elapsed))))
        except Exception:  # noqa: BLE001 - the database may be the problem; the log has it
            log.exception("cannot record the error of report %s", result.pk)
        if on_status is not None:
            on_status(result.status)
        outcome = AnalysisOutcome(result.pk, result.status, reason, summary=summary, seconds=elapsed)
    rlog.write_html()
    return outcome

