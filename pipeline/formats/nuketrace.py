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

