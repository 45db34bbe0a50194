"""A matplotlib Figure bound to the Agg canvas (thread-safe, no pyplot)."""
import os

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

NUC_COLORS = {"T": "#d62728", "A": "#2ca02c", "C": "#1f77b4", "G": "#222222"}


def new_figure(width, height, dpi=100):
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def save(fig, path, **kw):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, **kw)
    return str(path)
