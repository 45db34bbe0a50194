"""Bead mask: ``analysis.bfmask.bin`` and ``analysis.bfmask.stats``.

Binary layout: little-endian ``uint32 rows``, ``uint32 cols``, then ``rows*cols`` uint16
flags in row-major order. The stats file is an INI-like ``[global]`` section of
``Key = value`` lines; every count is a popcount of one bit over the region.
"""
from __future__ import annotations

import os
from enum import IntFlag

import numpy as np


class MaskBit(IntFlag):
    EMPTY = 1 << 0
    BEAD = 1 << 1
    LIVE = 1 << 2
    DUD = 1 << 3
    REFERENCE = 1 << 4
    TF = 1 << 5
    LIB = 1 << 6
    PINNED = 1 << 7
    IGNORE = 1 << 8
    WASHOUT = 1 << 9
    EXCLUDE = 1 << 10
    KEYPASS = 1 << 11
    FILTERED_BAD_KEY = 1 << 12
    FILTERED_SHORT = 1 << 13
    FILTERED_BAD_PPF = 1 << 14
    FILTERED_BAD_RESIDUAL = 1 << 15


class MaskFormatError(ValueError):
    """The bead mask file is missing, truncated or inconsistent."""


def write_bfmask(path, mask: np.ndarray) -> None:
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError("mask must be a 2-D [rows, cols] array")
    rows, cols = mask.shape
    with open(path, "wb") as fh:
        fh.write(np.array([rows, cols], dtype="<u4").tobytes())
        fh.write(np.ascontiguousarray(mask, dtype="<u2").tobytes())


def read_bfmask(path) -> np.ndarray:
    """Return the mask as a uint16 [rows, cols] array."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise MaskFormatError(f"bead mask {path} cannot be read: {exc}") from exc
    if size < 8:
        raise MaskFormatError(f"bead mask {path} is truncated: {size} bytes, header needs 8")
    with open(path, "rb") as fh:
        rows, cols = (int(v) for v in np.frombuffer(fh.read(8), dtype="<u4"))
        expected = 8 + 2 * rows * cols
        if size != expected:
            raise MaskFormatError(
                f"bead mask {path} has {size} bytes but {rows}x{cols} wells need {expected}")
        data = np.frombuffer(fh.read(), dtype="<u2")
    return data.reshape(rows, cols).astype(np.uint16)


_WASHOUT_PAIRS = (("washout_dud", MaskBit.DUD), ("washout_reference", MaskBit.REFERENCE),
                  ("washout_live", MaskBit.LIVE), ("washout_tf", MaskBit.TF),
                  ("washout_lib", MaskBit.LIB))


def mask_counts(mask: np.ndarray) -> dict:
    """Popcount of every bit keyed by lower-case bit name, plus washout pair counts."""
    counts = {bit.name.lower(): int(np.count_nonzero(mask & bit)) for bit in MaskBit}
    washout = (mask & MaskBit.WASHOUT) != 0
    for name, bit in _WASHOUT_PAIRS:
        counts[name] = int(np.count_nonzero(washout & ((mask & bit) != 0)))
    return counts


def add_counts(total: dict, more: dict) -> dict:
    for k, v in more.items():
        total[k] = total.get(k, 0) + v
    return total


def bfmask_stats(mask: np.ndarray, *, start_row: int = 0, start_col: int = 0,
                 filtered: dict | None = None) -> dict:
    """The ``analysis.bfmask.stats`` key/value pairs (ordered) for a mask."""
    rows, cols = mask.shape
    return bfmask_stats_from_counts(mask_counts(mask), rows, cols, start_row=start_row,
                                    start_col=start_col, filtered=filtered)


def bfmask_stats_from_counts(c: dict, rows: int, cols: int, *, start_row: int = 0,
                             start_col: int = 0, filtered: dict | None = None) -> dict:
    """Stats from :func:`mask_counts` totals (lets a streaming writer skip the full mask).

    ``filtered`` optionally adds the basecaller filter lines, e.g.
    ``{"lib": {"short": 3, "keypass": 10, "ppf": 0, "residual": 0, "valid": 900}, "tf": {...}}``.
    """
    bead, tf, lib = c.get("bead", 0), c.get("tf", 0), c.get("lib", 0)
    stats = {
        "Start Row": start_row,
        "Start Column": start_col,
        "Width": cols,
        "Height": rows,
        "Total Wells": rows * cols,
        "Excluded Wells": c.get("exclude", 0),
        "Empty Wells": c.get("empty", 0),
        "Pinned Wells": c.get("pinned", 0),
        "Ignored Wells": c.get("ignore", 0),
        "Bead Wells": bead,
        "Dud Beads": c.get("dud", 0),
        "Reference Beads": c.get("reference", 0),
        "Live Beads": c.get("live", 0),
        "Test Fragment Beads": tf,
        "Library Beads": lib,
        "Percent Template-Positive Library Beads":
            "NA" if bead - tf <= 0 else round(100.0 * lib / (bead - tf), 2),
        "Washout Wells": c.get("washout", 0),
        "Washout Dud": c.get("washout_dud", 0),
        "Washout Reference": c.get("washout_reference", 0),
        "Washout Live": c.get("washout_live", 0),
        "Washout Test Fragment": c.get("washout_tf", 0),
        "Washout Library": c.get("washout_lib", 0),
    }
    for kind, label in (("tf", "TF"), ("lib", "Lib")):
        f = (filtered or {}).get(kind)
        if f is None:
            continue
        stats[f"{label} Filtered Beads (read too short)"] = f.get("short", 0)
        stats[f"{label} Filtered Beads (fail keypass)"] = f.get("keypass", 0)
        stats[f"{label} Filtered Beads (too many positive flows)"] = f.get("ppf", 0)
        stats[f"{label} Filtered Beads (poor signal fit)"] = f.get("residual", 0)
        stats[f"{label} Validated Beads"] = f.get("valid", 0)
    return stats


def write_bfmask_stats(path, stats: dict) -> None:
    with open(path, "w") as fh:
        fh.write("[global]\n")
        for key, value in stats.items():
            fh.write(f"{key} = {value}\n")
