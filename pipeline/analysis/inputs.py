"""The inputs of one analysis, resolved from the database and the run folder: run data kind,
explog, flows and flow order, keys, barcode kit, reference, samples, test fragments, blocks."""
import json
from dataclasses import dataclass, field
from pathlib import Path

from rundb.models import Template, dnaBarcode

from ..ingest.explog import EXPLOG, EXPLOG_FINAL, ExplogError, block_dir, data_blocks, read_explog
from ..ingest.explog import flow_order_from_image_map
from ..ingest.transfer import find_run_data
from ..references import find_installed_reference
from .status import AnalysisError

DEFAULT_LIBRARY_KEY = "TCAG"
DEFAULT_TF_KEY = "ATCG"


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


def bam_flow_order(run_dir):
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
    inputs = Inputs(run_dir=run_dir, report_dir=Path(result.report_dir), data_kind=_run_data_kind(run_dir),
                    explog=explog, explog_name=explog_name)
    _resolve_flows(inputs, exp)
    _resolve_keys(inputs, eas)
    kit_name = _blank_none(eas.barcodeKitName if eas else "") or _blank_none(explog.get("barcodeid"))
    inputs.barcode_kit_name = kit_name
    inputs.barcode_kit = barcode_kit_rows(kit_name) if kit_name else None
    ref_name = _blank_none(result.reference) or _blank_none(eas.reference if eas else "") \
        or _blank_none(explog.get("library"))
    inputs.reference_name = ref_name
    if ref_name:
        inputs.reference, inputs.reference_note = find_installed_reference(ref_name)
    inputs.samples = _samples(inputs, exp, eas)
    inputs.test_fragments = [
        {"name": t.name, "sequence": t.sequence}
        for t in Template.objects.filter(isofficial=True, key__iexact=inputs.tf_key).order_by("name")
        if t.sequence
    ]
    if (exp.rawdatastyle or "single") != "single":
        inputs.blocks = [b for b in (block_dir(e) for e in data_blocks(explog.get("_blocks") or [])) if b]
    inputs.thumbnail = bool((result.metaData or {}).get("thumb"))
    return inputs


def _run_data_kind(run_dir):
    """find_run_data's kind of the run's data; AnalysisError when there is none we can analyse."""
    kind, _missing = find_run_data(run_dir)
    if kind == "raw":
        raise AnalysisError("raw acquisition data (acq_*.dat) is not supported: deliver "
                            "basecaller_results/rawlib.basecaller.bam or a 1.wells with its bead mask")
    if not kind:
        raise AnalysisError(f"empty run: no run data in {run_dir} (expected basecaller_results/"
                            "rawlib.basecaller.bam, <barcode>_rawlib.basecaller.bam or 1.wells)")
    return kind


def _resolve_flows(inputs, exp):
    """Flows and flow order: the experiment's, else the explog's; a basecalled run's BAM read
    group knows its flow order best."""
    explog = inputs.explog
    inputs.flows = exp.flows or explog.get("flows") or None
    if isinstance(inputs.flows, str):
        inputs.flows = int(inputs.flows) if inputs.flows.isdigit() else None
    explog_order = flow_order_from_image_map(str(explog.get("image_map") or explog.get("flow_order") or ""))
    from_bam = bam_flow_order(inputs.run_dir) if inputs.data_kind in ("basecalled", "barcoded") else None
    inputs.flow_order = from_bam or exp.flowsInOrder or explog_order or None


def _resolve_keys(inputs, eas):
    explog = inputs.explog
    inputs.library_key = ((eas.libraryKey if eas else "") or _blank_none(explog.get("librarykeysequence"))
                          or DEFAULT_LIBRARY_KEY).upper()
    inputs.tf_key = ((eas.tfKey if eas else "") or _blank_none(explog.get("tfkeysequence")) or DEFAULT_TF_KEY).upper()


def _samples(inputs, exp, eas):
    """{barcode id | "rawlib": sample name}: the plan's barcoded samples, else the run's one sample."""
    if inputs.barcode_kit:
        return barcode_samples(eas)
    names = [s.name for s in exp.samples.all()] if exp.pk else []
    sample = names[0] if len(names) == 1 else _blank_none(inputs.explog.get("sample"))
    return {"rawlib": sample} if sample else {}


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
