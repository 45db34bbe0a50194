"""Read-length histogram (``readLenHisto.png``) from ionstats ``full``."""
import numpy as np

from .canvas import new_figure, save


def read_length_histogram(histogram, path, *, title="Read Length Histogram"):
    """Bars of reads per length. ``histogram``: array, list or LengthHistogram.

    The last bin of an ionstats histogram holds every longer read, so it is
    dropped (as the original). None when there are no reads.
    """
    if histogram is None:
        return None
    h = np.asarray(getattr(histogram, "hist", histogram), dtype=np.int64)
    if h.size < 2 or h.sum() == 0:
        return None
    h = h[:-1]
    fig = new_figure(8, 4)
    ax = fig.add_subplot(111)
    ax.bar(np.arange(h.size), h, width=2, color="#1f77b4", linewidth=0)
    ax.set_xlim(0, h.size)
    ax.set_xlabel("Read Length")
    ax.set_ylabel("Count")
    ax.set_title(title)
    fig.tight_layout()
    return save(fig, path)
