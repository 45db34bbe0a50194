"""Adapter search, quality trimming and quality values."""
import numpy as np

from pipeline.basecaller.quality import find_adapter, flow_qualities, quality_trim_lengths

ADAPTER = b"ATCACCGACTGCCCATAGAGAGGCTGAGAC"
INSERT = b"ACGTTGCA" * 5


def test_find_adapter():
    assert find_adapter(INSERT + ADAPTER + b"GGGG", ADAPTER) == 40
    assert find_adapter(INSERT + ADAPTER[:8], ADAPTER) == 40          # partial at the end
    mutated = ADAPTER[:7] + b"T" + ADAPTER[8:20]                       # one mismatch inside
    assert find_adapter(INSERT + mutated, ADAPTER) == 40
    assert find_adapter(INSERT, ADAPTER) == -1
    assert find_adapter(INSERT + ADAPTER[:4], ADAPTER) == -1           # too short to trust


def test_quality_trim():
    q = np.full((3, 100), 30)
    q[0, 60:] = 5
    lengths = np.array([100, 80, 20])
    q[2, :20] = 10
    out = quality_trim_lengths(q, lengths, window=30, cutoff=15)
    assert out[1] == 80 and out[2] == 0
    assert 40 < out[0] < 60


def test_qv_falls_with_residual():
    calls = np.array([[1, 1, 1, 2]])
    corrected = np.array([[1.0, 1.3, 1.45, 2.0]], dtype=np.float32)
    qv = flow_qualities(corrected, calls, np.ones((1, 4), np.float32), np.array([0.15]))
    assert qv[0, 0] > qv[0, 1] > qv[0, 2]
    assert qv[0, 0] == 40
