"""Key-flow ionogram (mean flowgram of the first flows) and key incorporation traces."""
import numpy as np

from .canvas import NUC_COLORS, new_figure, save


def key_ionogram(signals, flow_order, path, *, key="TCAG", title=None):
    """Bars per flow (normalized signal, 1.0 = one base) coloured by nucleotide.

    ``signals``: mean signal per flow (e.g. IonStats.ionogram from ZM tags, or
    wells). None when there are no flowgrams.
    """
    if signals is None or not flow_order:
        return None
    s = np.asarray(signals, dtype=float)
    if s.size == 0:
        return None
    nucs = [flow_order[i % len(flow_order)] for i in range(s.size)]
    fig = new_figure(8, 3)
    ax = fig.add_subplot(111)
    ax.bar(np.arange(s.size), s, color=[NUC_COLORS.get(n, "#777777") for n in nucs])
    ax.set_xticks(np.arange(s.size))
    ax.set_xticklabels(nucs, fontsize=7)
    for y in (1, 2, 3):
        ax.axhline(y, color="#cccccc", linewidth=0.5, zorder=0)
    ax.set_ylabel("Signal (bases)")
    ax.set_title(title or f"Mean ionogram of the first {s.size} flows (key {key})")
    fig.tight_layout()
    return save(fig, path)


def key_trace(traces, path, *, kind="Library"):
    """``iontrace_<kind>.png``: mean 1-mer incorporation trace per key nucleotide."""
    if not traces:
        return None
    peaks = []
    fig = new_figure(6, 4)
    ax = fig.add_subplot(111)
    for nuc, vals in traces.items():
        v = np.asarray(vals, dtype=float)
        if v.size == 0:
            continue
        peaks.append(v.max())
        ax.plot(np.arange(v.size), v, color=NUC_COLORS.get(nuc, "#777777"), label=nuc)
    if not peaks:
        return None
    ax.set_xlabel("Frame")
    ax.set_ylabel("Counts")
    ax.legend(loc="upper right")
    ax.set_title(f"Consensus Key 1-Mer - {kind} Ave. Peak = {int(np.median(peaks))}")
    fig.tight_layout()
    return save(fig, path)
