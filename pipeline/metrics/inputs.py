"""Optional instrument/on-instrument-analysis files.

Every reader returns None when its file is absent: the metrics needing it are
then None and their figures are skipped — never an error. A file that exists
but cannot be parsed raises PipelineError (it is corrupt, not optional).
"""
import json
import os
import statistics

import numpy as np

from pipeline.stages.errors import PipelineError

BFMASK_BITS = {
    "empty": 1 << 0, "bead": 1 << 1, "live": 1 << 2, "dud": 1 << 3, "reference": 1 << 4, "tf": 1 << 5,
    "lib": 1 << 6, "pinned": 1 << 7, "ignore": 1 << 8, "washout": 1 << 9, "exclude": 1 << 10,
    "keypass": 1 << 11,
}


def find_file(dirs, *names):
    """First existing ``dir/name`` over the given dirs and names, or None."""
    for d in dirs:
        if not d:
            continue
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p):
                return p
    return None


def _convert(v):
    v = v.strip()
    if v == "NA":
        return -1
    try:
        return float(v) if "." in v else int(v)
    except ValueError:
        return v


def _text_lines(path):
    """The lines of a small optional text file (undecodable bytes replaced); None if absent."""
    if not path or not os.path.exists(path):
        return None
    with open(path, errors="replace") as fh:
        return fh.readlines()


def read_bfmask_stats(path):
    """``Key = value`` lines (section headers ignored) -> {key: int|float|str}; None if absent."""
    lines = _text_lines(path)
    if lines is None:
        return None
    out = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("[", "#", ";")) or "=" not in line:
            continue
        k, v = line.split("=", 1)
        out[k.strip()] = _convert(v)
    return out


def read_basecaller_json(path):
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{os.path.basename(path)}: unreadable JSON ({exc})") from None


def phasing(basecaller_json):
    """(CF, IE, DR) as fractions, or None when any is missing."""
    try:
        ph = basecaller_json["Phasing"]
        return float(ph["CF"]), float(ph["IE"]), float(ph["DR"])
    except (TypeError, KeyError, ValueError):
        return None


def read_details(basecaller_json, kind, key, default=None):
    try:
        return basecaller_json["Filtering"]["ReadDetails"][kind][key]
    except (TypeError, KeyError):
        return default


def read_bfmask_bin(path):
    """(rows, cols) uint16 flags array of ``analysis.bfmask.bin``; None if absent."""
    if not path or not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise PipelineError(f"{os.path.basename(path)}: truncated bead mask")
        rows, cols = np.frombuffer(head, "<u4")
        data = np.fromfile(fh, dtype="<u2", count=int(rows) * int(cols))
    if data.size != int(rows) * int(cols):
        raise PipelineError(f"{os.path.basename(path)}: truncated bead mask ({data.size} of {rows * cols} wells)")
    return data.reshape(int(rows), int(cols))


def read_nuke_trace(path):
    """``avgNukeTrace_<key>.txt`` -> {nucleotide: [values]} (the labelled 1-mer lines); None if absent."""
    lines = _text_lines(path)
    if lines is None:
        return None
    traces = {}
    for line in lines:
        f = line.split()
        if len(f) < 2 or not f[0].isalpha():
            continue
        try:
            traces[f[0].upper()] = [float(x) for x in f[1:]]
        except ValueError:
            raise PipelineError(f"{os.path.basename(path)}: bad trace line {f[0]}") from None
    return traces


def key_peak(traces):
    """int(median of per-trace maxima), as raw_peak_signal; None without traces."""
    if not traces:
        return None
    peaks = [max(v) for v in traces.values() if v]
    return int(statistics.median(peaks)) if peaks else None


def write_raw_peak_signal(path, library=None, test_fragment=None):
    lines = []
    if test_fragment is not None:
        lines.append(f"Test Fragment = {test_fragment}")
    if library is not None:
        lines.append(f"Library = {library}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + ("\n" if lines else ""))
    return path


def wells_ionogram(path, key="TCAG", flow_order=None, *, flows=32, max_wells=20000):
    """Mean key-normalized signal of the first ``flows`` flows over up to ``max_wells``
    wells of a ``1.wells`` file (HDF5 dataset ``wells`` [rows, cols, flows]); only wells
    whose key 1-mer flows average > 0.3 (beads) count. None if absent/unusable."""
    if not path or not os.path.exists(path):
        return None
    from .ionstats import snr_walk
    try:
        import h5py
        with h5py.File(path, "r") as fh:
            ds = fh["wells"]
            rows, cols, nflows = ds.shape
            fo = flow_order
            if not fo:
                fo = ds.attrs.get("FlowOrder", b"")
                fo = fo.decode() if isinstance(fo, bytes) else str(fo)
            r = max(1, min(rows, max_wells // max(cols, 1)))
            data = np.asarray(ds[:r, :, :min(flows, nflows)], dtype=np.float64)
            lo, hi = ds.attrs.get("convert_low"), ds.attrs.get("convert_high")
            if ds.dtype == np.uint16 and lo is not None and hi is not None:
                data = lo + data * (hi - lo) / 65535.0
    except (OSError, KeyError, ValueError) as exc:
        raise PipelineError(f"{os.path.basename(path)}: unreadable wells file ({exc})") from None
    ones = [f for f, _, one in snr_walk(key, fo) if one and f < data.shape[2]]
    if not ones:
        return None
    x = data.reshape(-1, data.shape[2])
    norm = x[:, ones].mean(axis=1)
    keep = norm > 0.3
    if not keep.any():
        return None
    return (x[keep] / norm[keep, None]).mean(axis=0)
