"""Per-barcode read-length images for the report's barcode table:
``basecaller_results/<prefix>.sparkline.png`` (a small line, no axes) and
``basecaller_results/<prefix>.read_len_histogram.png`` (the full histogram, shown when the
sparkline is clicked). browser/views/report.py lists them by those names."""
import os

import numpy as np

from .canvas import new_figure, save
from .readlen import read_length_histogram

SPARK_SIZE = (1.2, 0.3)  # inches at 100 dpi: 120 x 30 px


def _lengths(histogram):
    """Counts per length without ionstats' overflow bin, cut after the longest read; None if empty."""
    if histogram is None:
        return None
    h = np.asarray(getattr(histogram, "hist", histogram), dtype=np.int64)
    if h.size < 2:
        return None
    h = h[:-1]
    if h.sum() == 0:
        return None
    last = int(np.flatnonzero(h)[-1])
    return h[: last + 2]  # one empty bin after the longest read, so the line comes down


def read_length_sparkline(histogram, path):
    """A 120 x 30 px line of reads per length; None when there are no reads."""
    h = _lengths(histogram)
    if h is None:
        return None
    fig = new_figure(*SPARK_SIZE)
    ax = fig.add_axes((0, 0, 1, 1))
    x = np.arange(h.size)
    ax.fill_between(x, h, color="#9ec5e8", linewidth=0)
    ax.plot(x, h, color="#1f5f9e", linewidth=0.8)
    ax.set_xlim(0, max(h.size - 1, 1))
    ax.set_ylim(0, h.max() * 1.1)
    ax.set_axis_off()
    return save(fig, path)


def barcode_read_length_images(histograms, out_dir):
    """``histograms``: {file prefix: read-length histogram (array or LengthHistogram)}.

    Writes both images of every barcode with reads into `out_dir`; returns
    {prefix: {"sparkline": path, "histogram": path}} for those written."""
    written = {}
    for prefix, histogram in sorted((histograms or {}).items()):
        if _lengths(histogram) is None:
            continue
        spark = read_length_sparkline(histogram, os.path.join(out_dir, f"{prefix}.sparkline.png"))
        full = read_length_histogram(histogram, os.path.join(out_dir, f"{prefix}.read_len_histogram.png"),
                                     title=f"{prefix} Read Lengths")
        written[prefix] = {"sparkline": spark, "histogram": full}
    return written
