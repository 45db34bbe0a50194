"""Chunked BAM reader/writer (bamio): record boundaries across chunks, tags, sequences."""
import array

import numpy as np
import pysam
import pytest

from pipeline.stages.bamio import BamReader, BamWriter, codes_to_str
from pipeline.stages.smallbam import write_bam


@pytest.fixture
def bam(tmp_path):
    reads = []
    for i in range(57):
        n = 1 + (i * 7) % 40
        tags = {"ZA": i, "XS": "x" * (i % 5), "ZM": [i, -i, 3]} if i % 3 else {"ZF": 300 + i}
        reads.append({"name": f"R:{i:05d}:00001", "seq": ("ACGTN" * 10)[:n], "qual": [i % 40] * n, "tags": tags})
    return write_bam(tmp_path / "t.bam", reads, read_groups=({"ID": "R", "SM": "s", "FO": "TACG"},))


@pytest.mark.parametrize("chunk_bytes,max_records", [(1 << 20, 16384), (300, 5), (64, 1)])
def test_chunks_cover_every_record(bam, chunk_bytes, max_records):
    names, lengths = [], []
    with BamReader(bam, chunk_bytes=chunk_bytes, max_records=max_records) as r:
        assert r.read_groups()["R"]["FO"] == "TACG"
        for ch in r.chunks():
            assert ch.n <= max_records
            names += ch.names()
            lengths += ch.l_seq.tolist()
    assert names == [f"R:{i:05d}:00001" for i in range(57)]
    assert lengths == [1 + (i * 7) % 40 for i in range(57)]


def test_tags_and_sequences_match_pysam(bam):
    with pysam.AlignmentFile(bam, check_sq=False) as f:
        ref = list(f)
    with BamReader(bam, chunk_bytes=500) as r:
        k = 0
        for ch in r.chunks():
            tags = ch.find_tags(["ZA", "ZF", "ZM", "XS"])
            za = ch.tag_ints(*tags["ZA"])
            zf = ch.tag_ints(*tags["ZF"])
            codes = ch.seq_codes(np.arange(ch.n), 0, 40)
            for i in range(ch.n):
                p = ref[k]
                assert (tags["ZA"][0][i] >= 0) == p.has_tag("ZA")
                if p.has_tag("ZA"):
                    assert za[i] == p.get_tag("ZA")
                    assert ch.tag_string(tags["XS"][0], i) == p.get_tag("XS")
                else:
                    assert zf[i] == p.get_tag("ZF")
                assert codes_to_str(codes[i][:ch.l_seq[i]]) == p.query_sequence
                k += 1
    assert k == 57


def test_writer_output_is_a_valid_bam(tmp_path, bam):
    out = tmp_path / "copy.bam"
    with BamReader(bam) as r, BamWriter(str(out), r.header_text, r.references) as w:
        for ch in r.chunks():
            w.write_raw(ch.data[ch.off[0]:ch.end[-1]], ch.n)
    with pysam.AlignmentFile(str(out), check_sq=False) as f:
        recs = list(f)
    assert len(recs) == 57 and recs[5].get_tag("ZM") == array.array("h", [5, -5, 3])


@pytest.mark.parametrize("chunk_bytes", [40, 300, 2000])
def test_chunks_hold_at_most_chunk_bytes_of_records(bam, chunk_bytes):
    """A chunk never exceeds chunk_bytes of records, except one record bigger than that
    (64 bytes is smaller than most records here: they come one per chunk)."""
    names = []
    with BamReader(bam, chunk_bytes=chunk_bytes, max_records=16384) as r:
        for ch in r.chunks():
            size = int(ch.end[-1] - ch.off[0])
            assert size <= chunk_bytes or ch.n == 1
            names += ch.names()
    assert names == [f"R:{i:05d}:00001" for i in range(57)]


def test_previous_chunk_stays_valid_while_the_next_is_used(tmp_path):
    """Buffers are reused in turn: a chunk's bytes hold until the chunk after next
    (a file of many BGZF blocks, so the reader switches buffers many times)."""
    reads = [{"name": f"R:{i:05d}:00001", "seq": "ACGT" * (20 + i % 50), "qual": [30] * (4 * (20 + i % 50)),
              "tags": {"ZA": i}} for i in range(3000)]
    path = write_bam(tmp_path / "big.bam", reads)
    with BamReader(path, chunk_bytes=20000) as r:
        prev, prev_names = None, None
        names = []
        for ch in r.chunks():
            if prev is not None:
                assert prev.names() == prev_names
                assert prev.tag_ints(*prev.find_tags(["ZA"])["ZA"][:2]).tolist() == \
                    [int(n[2:7]) for n in prev_names]
            prev, prev_names = ch, ch.names()
            names += prev_names
    assert names == [f"R:{i:05d}:00001" for i in range(3000)]


@pytest.mark.parametrize("start,width", [(0, 40), (2, 9), (3, 7), (0, 1)])
def test_seq_codes_windows_pad_with_n(bam, start, width):
    """Base windows from even (whole-byte path) and odd starts, odd widths, past the end = N."""
    with pysam.AlignmentFile(bam, check_sq=False) as f:
        seqs = [r.query_sequence or "" for r in f]
    got = []
    with BamReader(bam, chunk_bytes=500) as r:
        for ch in r.chunks():
            codes = ch.seq_codes(np.arange(ch.n), start, width)
            assert codes.shape == (ch.n, width)
            got += [codes_to_str(row) for row in codes]
    assert got == [(s[start:start + width]).ljust(width, "N") for s in seqs]
