"""Per-barcode read counts bar chart."""
import numpy as np

from .canvas import new_figure, save


def barcode_read_counts(counts, path, *, title="Reads per barcode"):
    """``counts``: {barcode name: reads} (nomatch included if given). None when empty."""
    if not counts:
        return None
    names = list(counts)
    vals = np.array([int(counts[n]) for n in names])
    fig = new_figure(max(4.0, 0.3 * len(names) + 2), 4)
    ax = fig.add_subplot(111)
    colors = ["#999999" if n == "nomatch" else "#1f77b4" for n in names]
    ax.bar(np.arange(len(names)), vals, color=colors)
    ax.set_xticks(np.arange(len(names)))
    ax.set_xticklabels(names, rotation=90, fontsize=7)
    ax.set_ylabel("Reads")
    ax.set_title(title)
    fig.tight_layout()
    return save(fig, path)
