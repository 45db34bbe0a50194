"""Read-length histogram, barcode counts, ionogram and key trace figures: written or None."""
import os

import numpy as np

from pipeline.figures import barcode_read_counts, key_ionogram, key_trace, read_length_histogram
from pipeline.metrics.histograms import LengthHistogram


def test_read_length_histogram(tmp_path):
    h = LengthHistogram(400)
    h.add(np.array([50, 60, 60, 120]))
    p = read_length_histogram(h, str(tmp_path / "basecaller_results" / "readLenHisto.png"))
    assert p and os.path.getsize(p) > 0
    assert read_length_histogram(LengthHistogram(400), str(tmp_path / "x.png")) is None
    assert read_length_histogram(None, str(tmp_path / "y.png")) is None
    assert not os.path.exists(tmp_path / "x.png")


def test_barcode_read_counts(tmp_path):
    assert barcode_read_counts({"IonXpress_001": 10, "nomatch": 3}, str(tmp_path / "b.png"))
    assert barcode_read_counts({}, str(tmp_path / "c.png")) is None


def test_key_ionogram(tmp_path):
    sig = np.array([1, 0, 1, 0, 0, 1, 0, 1.2])
    assert key_ionogram(sig, "TACG", str(tmp_path / "i.png"))
    assert key_ionogram(None, "TACG", str(tmp_path / "j.png")) is None


def test_key_trace(tmp_path):
    p = key_trace({"T": [1, 80, 3], "C": [0, 100, 2], "A": [1, 90, 0]}, str(tmp_path / "iontrace_Library.png"))
    assert p and os.path.exists(p)
    assert key_trace(None, str(tmp_path / "t.png")) is None
