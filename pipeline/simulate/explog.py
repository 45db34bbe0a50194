"""Write instrument experiment logs (``explog.txt`` / ``explog_final.txt``).

Keys use the instrument's spellings (``Key: Value`` lines); the ingest parser lower-cases
them and turns whitespace and ``/`` into ``_`` (e.g. ``Experiment Name`` ->
``experiment_name``, ``ChipType`` -> ``chiptype``).
"""
from __future__ import annotations

import datetime as _dt

from rundb.files import atomic_write

PLATFORM_DEFAULTS = {
    # platform: (device name, chip type, start-time format)
    "PGM": ("PGM01", "318", "%a %b %d %H:%M:%S %Y"),
    "PROTON": ("PROTON01", "P1.1.17", "%m/%d/%Y %H:%M:%S"),
    "S5": ("S501", "530", "%m/%d/%Y %H:%M:%S"),
}


def normalise_platform(instrument: str) -> str:
    key = (instrument or "PGM").strip().upper()
    if key in ("S5XL", "S5 XL", "GENEXUS"):
        key = "S5"
    if key not in PLATFORM_DEFAULTS:
        raise ValueError(f"unknown instrument {instrument!r}: use PGM, PROTON or S5")
    return key


def explog_fields(*, experiment_name: str, run_name: str, platform: str, device_name: str,
                  serial: str, chip_type: str, chip_barcode: str, flows: int, flow_cycle: str,
                  library_key: str, tf_key: str, reference: str, barcode_kit: str,
                  start_time: _dt.datetime, project: str = "", sample: str = "",
                  notes: str = "", plan_short_id: str = "", plan_guid: str = "",
                  user: str = "", extra: dict | None = None) -> dict:
    """Ordered ``{key: value}`` of an ``explog.txt`` written at run start."""
    fmt = PLATFORM_DEFAULTS[platform][2]
    fields = {
        "Experiment Name": experiment_name,
        "Run Name": run_name,
        "User Name": user,
        "Start Time": start_time.strftime(fmt),
        "Platform": platform,
        "DeviceName": device_name,
        "Serial Number": serial,
        "ChipType": chip_type,
        "ChipBarcode": chip_barcode,
        "Flows": str(flows),
        "Cycles": str(flows // len(flow_cycle)),
        "Image Map": flow_cycle,
        "LibraryKeySequence": library_key,
        "TFKeySequence": tf_key,
        "Library": reference or "none",
        "barcodeId": barcode_kit or "none",
        "Project": project,
        "Sample": sample,
        "User Notes": notes,
        "Planned Run Short ID": plan_short_id,
        "Planned Run GUID": plan_guid,
        "RunType": "GENS",
        "SeqKitName": "SimulatedSequencingKit",
        "LibKit": "SimulatedLibraryKit",
        "AutoAnalyze": "yes",
        "AnalyzeEarly": "no",
        "Prebeadfind": "no",
        "postbeadfind": "no",
        "OnInstrAnalysis": "yes",
        "Oversample": "1x",
        "Frame Time": "0.0667",
    }
    fields.update(extra or {})
    return fields


def write_explog(path, fields: dict) -> None:
    """Write ``Key: Value`` lines in one step, so a crawler never sees half a file."""
    lines = [f"{key}: {v}\n" for key, value in fields.items()
             for v in (value if isinstance(value, (list, tuple)) else [value])]  # e.g. BlockStatus lines
    atomic_write(path, "".join(lines))
