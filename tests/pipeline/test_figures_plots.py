"""Read-length histogram, barcode counts, ionogram and key trace figures: written or None."""
import os

import numpy as np
import pytest

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


def test_ionogram_from_wells_file(tmp_path):
    import h5py
    from pipeline.metrics.inputs import wells_ionogram
    key_flows = np.array([1, 0, 1, 0, 0, 1, 0, 1] + [0.5] * 24, dtype=np.float32)
    w = np.tile(key_flows * 80.0, (4, 5, 1))
    w[0, 0] = 0.0  # empty well: no key signal, left out
    with h5py.File(tmp_path / "1.wells", "w") as fh:
        fh.create_dataset("wells", data=w)
    sig = wells_ionogram(str(tmp_path / "1.wells"), "TCAG", "TACG" * 8)
    assert sig is not None and sig[0] == pytest.approx(1.0) and sig[1] == pytest.approx(0.0)
    assert key_ionogram(sig, "TACG", str(tmp_path / "w.png"))
    assert wells_ionogram(str(tmp_path / "none.wells"), "TCAG", "TACG") is None
