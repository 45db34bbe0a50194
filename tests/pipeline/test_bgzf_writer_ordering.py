"""BGZF writer: batches compressed on the pool are written in order by the pool threads,
whatever order they finish in, across many writers at once; a failure reaches the caller."""
import gzip
import threading
import time

import numpy as np
import pytest

from pipeline.formats import bgzf
from pipeline.formats.bgzf import MAX_BLOCK_DATA, BgzfWriter


def _slow_odd_batches(monkeypatch):
    """Every other batch takes longer, so later batches finish first."""
    real = bgzf._compress_blocks
    count = {"n": 0}
    lock = threading.Lock()

    def slow(data, level, end=None):
        with lock:
            count["n"] += 1
            k = count["n"]
        if k % 2:
            time.sleep(0.02)
        return real(data, level, end)

    monkeypatch.setattr(bgzf, "_compress_blocks", slow)
    return count


def test_many_writers_out_of_order_batches_round_trip(tmp_path, monkeypatch):
    count = _slow_odd_batches(monkeypatch)
    rng = np.random.default_rng(5)
    expected = [bytearray() for _ in range(6)]
    writers = [BgzfWriter(tmp_path / f"w{i}.gz", level=1) for i in range(6)]
    for step in range(120):
        i = int(rng.integers(0, 6))
        piece = rng.integers(0, 4, int(rng.integers(1, 3 * MAX_BLOCK_DATA)), dtype=np.uint8).tobytes()
        writers[i].write(piece)
        expected[i] += piece
    for w in writers:
        w.close()
    assert count["n"] > 12  # the pool really compressed many batches
    for i in range(6):
        with gzip.open(tmp_path / f"w{i}.gz", "rb") as fh:
            assert fh.read() == bytes(expected[i])


def test_a_failed_batch_is_raised_and_the_file_is_closed(tmp_path, monkeypatch):
    real = bgzf._compress_blocks

    def failing(data, level, end=None):
        if len(memoryview(data)[:end]) >= 4 * MAX_BLOCK_DATA:
            raise OSError("disk full (simulated)")
        return real(data, level, end)

    monkeypatch.setattr(bgzf, "_compress_blocks", failing)
    w = BgzfWriter(tmp_path / "f.gz", level=1)
    with pytest.raises(OSError, match="disk full"):
        for _ in range(20):
            w.write(bytes(2 * MAX_BLOCK_DATA))
        w.close()
    w.close()  # idempotent after the failure, no hang
    assert w._fh.closed
