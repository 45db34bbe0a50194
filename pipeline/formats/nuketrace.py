"""``avgNukeTrace_<key>.txt``: mean incorporation traces (over frames) of the key flows.

One line per usable key flow ``"<flowIdx> v1 v2 ..."``, then one line per 1-mer key flow
labelled with its nucleotide ``"<NUC> v1 v2 ..."``.
"""
from __future__ import annotations

import numpy as np


def write_avg_nuke_trace(path, flow_traces, nuc_traces) -> None:
    """``flow_traces``: iterable of (flow index, values); ``nuc_traces``: (nucleotide, values)."""
    with open(path, "w") as fh:
        for label, values in list(flow_traces) + list(nuc_traces):
            fh.write(str(label) + " " + " ".join(f"{v:.2f}" for v in np.asarray(values)) + "\n")


def read_avg_nuke_trace(path) -> dict:
    """Return ``{label: np.ndarray}`` where label is an int flow index or a nucleotide."""
    out = {}
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                continue
            label = int(parts[0]) if parts[0].isdigit() else parts[0]
            out[label] = np.array([float(v) for v in parts[1:]])
    return out
