"""explog -> Experiment / plan / analysis-settings values (pure; no database access).

`RunInfo` holds what the explog says about a run. Fields left as None were not stated by
the explog, so the database keeps the plan's (or the existing) value.
"""
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .explog import (
    DEFAULT_FLOW_ORDER,
    Explog,
    blocks_auto_analyze,
    data_blocks,
    date_from_folder_name,
    flow_order_from_image_map,
    none_to_blank,
    normalise_chip_type,
    parse_start_time,
    strip_folder_date,
)

NOT_SCANNED = "NOT_SCANNED"


@dataclass
class RunInfo:
    folder: str
    instrument: str  # rig name: the folder's parent directory
    exp_name: str
    date: datetime  # naive, instrument wall-clock
    experiment: dict = field(default_factory=dict)  # Experiment field -> value
    eas: dict = field(default_factory=dict)  # ExperimentAnalysisSettings field -> value (only stated ones)
    plan: dict = field(default_factory=dict)  # PlannedExperiment field -> value
    flow_order: str = ""  # "" = explog did not say
    flows: int | None = None
    cycles: int | None = None
    plan_short_id: str = ""
    plan_guid: str = ""
    sample: str = ""
    project: str = ""
    platform: str = ""  # "" = explog did not say; see `fallback_platform`
    fallback_platform: str = "PGM"
    tiled: bool = False
    analyze_early: bool = False
    post_beadfind: bool = False
    autoanalysis_name: str = ""


def _kit_value(value):
    text = str(value or "").strip()
    return "" if not text or text.upper() == NOT_SCANNED else text


def platform_from_explog(explog):
    """Platform the explog states, directly or through device keys; "" if it does not."""
    text = explog.text("platform")
    if text:
        return text.upper()
    serial = explog.text("serial_number", "deviceserial", "device_serial", "serial").upper()
    for prefix in ("S5", "PROTON", "PGM"):
        if serial.startswith(prefix):
            return prefix
    if explog.has("pgm_hw") or explog.has("pgm_serial"):
        return "PGM"
    if explog.has("proton_serial"):
        return "PROTON"
    return ""


def flows_and_cycles(explog, flow_order):
    """(flows, cycles): flows wins when stated; otherwise flows = cycles * len(order)."""
    order_len = len(flow_order) or len(DEFAULT_FLOW_ORDER)
    flows = explog.get("flows")
    cycles = explog.get("cycles")
    if isinstance(flows, int) and flows > 0:
        return flows, flows // order_len
    if isinstance(cycles, int) and cycles > 0:
        return cycles * order_len, cycles
    return None, None


def run_date(explog, folder):
    """Start time; else the folder name's `R_YYYY_MM_DD_hh_mm_ss`; else the folder mtime."""
    when = parse_start_time(explog.text("start_time"))
    if when is None:
        when = date_from_folder_name(Path(folder).name)
    if when is None:
        try:
            when = datetime.fromtimestamp(os.stat(folder).st_mtime)
        except OSError:
            when = datetime.now()
    return when


def derive_run_info(explog: Explog, folder, *, default_flow_order=DEFAULT_FLOW_ORDER):
    """Map a parsed (and `require()`d) explog of `folder` onto database values."""
    folder = str(folder)
    instrument = Path(folder).parent.name
    exp_name = explog.text("experiment_name")[:128]
    flow_order = flow_order_from_image_map(explog.text("image_map", "flow_order", "floworder"))
    flows, cycles = flows_and_cycles(explog, flow_order or default_flow_order)
    tiled = bool(data_blocks(explog.blocks))
    exp = _experiment_values(explog, folder, instrument, exp_name, tiled)
    if flow_order:
        exp["flowsInOrder"] = flow_order
    if flows is not None:
        exp["flows"] = flows
        exp["cycles"] = cycles
    plan = {"expName": exp_name, "isReverseRun": exp["isReverseRun"]}
    if explog.has("runtype"):
        plan["runType"] = explog.text("runtype")[:128]
    autoname = explog.text("autoanalysisname")
    return RunInfo(
        folder=folder,
        instrument=instrument,
        exp_name=exp_name,
        date=run_date(explog, folder),
        experiment=exp,
        eas=_analysis_settings_values(explog),
        plan=plan,
        flow_order=flow_order,
        flows=flows,
        cycles=cycles,
        plan_short_id=explog.text("planned_run_short_id", "pending_run_short_id").upper()[:5],
        plan_guid=explog.text("planned_run_guid"),
        sample=explog.text("sample")[:127],
        project=explog.text("project")[:64],
        platform=platform_from_explog(explog),
        fallback_platform="PROTON" if tiled else "PGM",
        tiled=tiled,
        analyze_early=explog.get("analyzeearly") is True,
        post_beadfind=explog.get("postbeadfind") is True,
        autoanalysis_name="" if autoname.lower() == "none" else autoname,
    )


# Experiment text fields an explog may carry: field -> (explog key, longest value kept).
_OPTIONAL_TEXT = {
    "chipBarcode": ("chipbarcode", 128),
    "notes": ("user_notes", 1024),
    "reverse_primer": ("reverse_primer", 128),
}


def _experiment_values(explog, folder, instrument, exp_name, tiled):
    """The Experiment row's values from the explog (flows are added by the caller)."""
    exp = {
        "expName": exp_name,
        "unique": folder,
        "expDir": folder,
        "pgmName": explog.text("devicename", default=instrument)[:128],
        "log": explog.as_log(),
        "rawdatastyle": "tiled" if tiled else "single",
        "storageHost": "localhost",
        "baselineRun": explog.text("runtype") in ("STD", "Standard"),
        "isReverseRun": explog.text("isreverserun") == "Yes",
    }
    for field_name, (key, limit) in _OPTIONAL_TEXT.items():
        if explog.has(key):
            exp[field_name] = explog.text(key)[:limit]
    chip = normalise_chip_type(explog.text("chipversion", "chiptype"))
    if chip:
        exp["chipType"] = chip
    for field_name, key in (("autoAnalyze", "autoanalyze"), ("usePreBeadfind", "prebeadfind")):
        if isinstance(explog.values.get(key), bool):
            exp[field_name] = explog.values[key]
    if tiled:  # tiled runs: analysed if any block asks for it
        exp["autoAnalyze"] = blocks_auto_analyze(data_blocks(explog.blocks))
    seqkit = _kit_value(explog.text("seqkitname"))
    if seqkit:
        exp["sequencekitname"] = seqkit[:128]
    seqpart = _kit_value(explog.text("seqkitpart"))
    if seqpart:
        exp["seqKitBarcode"] = exp["sequencekitbarcode"] = seqpart[:128]
    return exp


def _analysis_settings_values(explog):
    """The run's analysis settings (barcode kit, reference, library kit and key) from the explog."""
    eas = {}
    if "barcodeid" in explog.values:
        eas["barcodeKitName"] = none_to_blank(explog.values["barcodeid"])[:128]
    if "library" in explog.values:
        eas["reference"] = none_to_blank(explog.values["library"])[:128]
    for field_name, key in (("libraryKitName", "libkit"), ("libraryKitBarcode", "libbarcode")):
        value = _kit_value(explog.text(key))
        if value:
            eas[field_name] = value[:128]
    if explog.has("librarykeysequence"):
        eas["libraryKey"] = explog.text("librarykeysequence").upper()[:128]
    return eas


def pretty_run_name(exp_name):
    """Run name without the `R_<date>_` prefix, for report names."""
    return strip_folder_date(exp_name) or exp_name
