"""Transfer state of a run folder: is the run finished, and is its data there?

`ftpStatus` values (the original's vocabulary) and their order; a status only moves forward:

    ""  ->  "<n>" (acq_*.dat files seen so far)  ->  "Missing File(s)"  ->  "Complete"
    any ->  "User Aborted" / "Lost Chip Connection"   (explog_final WARNINGS, never overwritten)

Unlike the original, "Missing File(s)" is not a dead end: if the data shows up later the
run still completes (the crawler re-checks such folders cheaply, by file presence only).
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

TRANSFERRING = ""
MISSING_FILES = "Missing File(s)"
COMPLETE = "Complete"
USER_ABORTED = "User Aborted"
LOST_CHIP = "Lost Chip Connection"

# Statuses after which the run is finished (analysis may start).
FINISHED = (COMPLETE, USER_ABORTED, LOST_CHIP)
IN_ERROR = (USER_ABORTED, LOST_CHIP)

# Run data an instrument may deliver, relative to the run folder (see README "Input formats").
BASECALLED_BAM = "basecaller_results/rawlib.basecaller.bam"
BARCODED_BAM_GLOB = "basecaller_results/*_rawlib.basecaller.bam"
WELLS_FILES = ("1.wells", "sigproc_results/1.wells", "onboard_results/sigproc_results/1.wells")
WELLS_BLOCK_GLOB = "onboard_results/sigproc_results/block_*/1.wells"


def status_rank(status):
    """Order of ftpStatus values; digit strings (files counted) sit between "" and the end."""
    status = (status or "").strip()
    if status == "":
        return (0, 0)
    if status.isdigit():
        return (1, int(status))
    if status == MISSING_FILES:
        return (2, 0)
    if status == COMPLETE:
        return (3, 0)
    if status in IN_ERROR:
        return (4, 0)
    return (1, 0)  # anything else written by a client ("Transferring", ...) counts as in progress


def advance(current, proposed):
    """The status to store: `proposed` only if it is further along than `current`."""
    return proposed if status_rank(proposed) > status_rank(current) else current


@dataclass
class TransferState:
    status: str
    finished: bool
    data_kind: str = ""  # "basecalled" | "barcoded" | "flowgrams" | "raw" | ""
    missing: list = field(default_factory=list)


def count_acq_files(folder):
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.startswith("acq_") and e.name.endswith(".dat"))
    except OSError:
        return 0


def find_run_data(folder, *, flows=0, tiled=False, use_prebeadfind=False, post_beadfind=False):
    """(kind, missing): which input format is present; `missing` lists absent required files."""
    folder = Path(folder)
    if (folder / BASECALLED_BAM).is_file():
        return "basecalled", []
    if any(folder.glob(BARCODED_BAM_GLOB)):
        return "barcoded", []
    if any((folder / name).is_file() for name in WELLS_FILES) or any(folder.glob(WELLS_BLOCK_GLOB)):
        return "flowgrams", []
    raw_dir = folder / "thumbnail" if tiled else folder
    if count_acq_files(raw_dir):
        required = []
        if flows and flows > 0:
            required.append(f"acq_{flows - 1:04d}.dat")
        if use_prebeadfind:
            required.append("beadfind_pre_0003.dat")
        if post_beadfind:
            required.append("beadfind_post_0003.dat")
        missing = [name for name in required if not (raw_dir / name).is_file()]
        return ("raw" if not missing else ""), missing
    return "", [f"{BASECALLED_BAM} (or per-barcode BAMs, 1.wells, acq_*.dat)"]


def transfer_state(folder, *, final_exists, final_explog=None, flows=0, tiled=False,
                   use_prebeadfind=False, post_beadfind=False):
    """Proposed ftpStatus for `folder` (pass it through `advance`)."""
    if final_explog is not None:
        if final_explog.lost_chip_connection:
            return TransferState(LOST_CHIP, True)
        if final_explog.aborted:
            return TransferState(USER_ABORTED, True)
    if not final_exists:
        count = count_acq_files(Path(folder) / "thumbnail" if tiled else folder)
        return TransferState(str(count) if count else TRANSFERRING, False)
    kind, missing = find_run_data(
        folder, flows=flows, tiled=tiled, use_prebeadfind=use_prebeadfind, post_beadfind=post_beadfind
    )
    if kind:
        return TransferState(COMPLETE, True, kind)
    return TransferState(MISSING_FILES, False, "", missing)
