"""The shared BGZF writer keeps every block within BGZF limits and ends with the EOF block;
BAMs written through it (stage writer and unmapped writer) pass samtools quickcheck."""
import gzip
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

from pipeline.formats.bgzf import EOF_BLOCK, MAX_BLOCK_DATA, BgzfWriter, compress_block
from pipeline.formats.ubam import UnmappedBamWriter, tag_string
from pipeline.stages.bamio import BamReader, BamWriter


def _block_sizes(raw):
    """(BSIZE, ISIZE) of every block, walking the BC extra fields."""
    out, pos = [], 0
    while pos < len(raw):
        assert raw[pos:pos + 4] == b"\x1f\x8b\x08\x04"
        assert raw[pos + 12:pos + 16] == b"BC\x02\x00"
        bsize = struct.unpack_from("<H", raw, pos + 16)[0] + 1
        isize = struct.unpack_from("<I", raw, pos + bsize - 4)[0]
        out.append((bsize, isize))
        pos += bsize
    assert pos == len(raw)
    return out


@pytest.mark.parametrize("level", [0, 1, 6])
def test_incompressible_blocks_fit(tmp_path, level):
    data = os.urandom(5 * MAX_BLOCK_DATA + 123)
    path = tmp_path / "x.gz"
    with BgzfWriter(path, level=level) as w:
        for i in range(0, len(data), 40000):  # writes straddle block boundaries
            w.write(data[i:i + 40000])
    raw = path.read_bytes()
    assert raw.endswith(EOF_BLOCK)
    sizes = _block_sizes(raw)
    assert all(b <= 65536 and i <= MAX_BLOCK_DATA for b, i in sizes)
    assert [i for _, i in sizes] == [MAX_BLOCK_DATA] * 5 + [123, 0]
    assert gzip.decompress(raw) == data


def test_compress_block_rejects_oversize_input():
    with pytest.raises(ValueError, match="exceeds"):
        compress_block(bytes(MAX_BLOCK_DATA + 1), 1)


def test_empty_file_is_just_eof(tmp_path):
    path = tmp_path / "e.gz"
    BgzfWriter(path).close()
    assert path.read_bytes() == EOF_BLOCK


@pytest.mark.skipif(shutil.which("samtools") is None, reason="samtools not installed")
def test_both_bam_writers_pass_quickcheck(tmp_path):
    n = 50
    lengths = np.full(n, 30)
    seq = np.random.default_rng(1).integers(0, 4, 30 * n).astype(np.uint8)
    ubam = tmp_path / "u.bam"
    with UnmappedBamWriter(ubam, {"HD": {"VN": "1.4"}, "RG": [{"ID": "A", "SM": "s"}]}) as w:
        w.write_batch([f"r{i}" for i in range(n)], seq, lengths, tags=[tag_string("RG", "A", n)])
    assert w.count == n
    copy = tmp_path / "c.bam"
    with BamReader(ubam) as r, BamWriter(copy, r.header_text, r.references, level=0) as out:
        for chunk in r.chunks():
            out.write_raw(chunk.data[chunk.off[0]:chunk.end[-1]], chunk.n)
    assert out.count == n
    # -u: unmapped BAMs have no @SQ lines, which quickcheck otherwise rejects
    subprocess.run(["samtools", "quickcheck", "-u", "-v", str(ubam), str(copy)], check=True)
    with BamReader(copy) as r:
        assert sum(c.n for c in r.chunks()) == n


def test_pieces_of_every_kind_and_size_round_trip(tmp_path):
    """Small and large pieces, memoryviews of bytes, and mutable buffers the caller reuses
    right after write() (the writer must not keep a view of them)."""
    import gzip

    import numpy as np

    from pipeline.formats.bgzf import MAX_BLOCK_DATA, BgzfWriter

    rng = np.random.default_rng(3)
    big = rng.integers(0, 256, 5 * MAX_BLOCK_DATA + 123, dtype=np.uint8).tobytes()
    expected = bytearray()
    path = tmp_path / "pieces.gz"
    with BgzfWriter(path, level=1) as w:
        scratch = bytearray(b"a" * 1000)
        for i in range(300):  # small pieces, in a buffer overwritten after each write
            scratch[:] = bytes([i % 251]) * 1000
            w.write(scratch)
            expected += scratch
        view = memoryview(big)[7:]
        w.write(view)  # one piece bigger than the batch
        expected += view
        arr = np.frombuffer(big[:70000], dtype=np.uint8).copy()
        w.write(arr)
        expected += arr.tobytes()
        arr[:] = 0  # reused by the caller
        w.write(b"")
    assert gzip.decompress(path.read_bytes()) == bytes(expected)
