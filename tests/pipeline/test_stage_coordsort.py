"""CoordinateSorter: samtools coordinate order (ties by strand, then input order; unmapped
last in input order), in memory and through spilled runs, records kept byte for byte."""
import os
import random

import numpy as np
import pysam
import pytest

from pipeline.stages.bamio import BamReader
from pipeline.stages.coordsort import CoordinateSorter, coordinate_keys
from pipeline.stages.smallbam import write_bam

REFS = [("chr1", 5000), ("chr2", 3000), ("chr3", 800)]


def make_reads(n, seed=5):
    """Reads with many position ties on both strands, unmapped ones interleaved, and a few
    unmapped reads placed at a position (refid set, flag 4), of varied sizes."""
    rnd = random.Random(seed)
    reads = []
    for i in range(n):
        k = rnd.random()
        length = rnd.choice([0, 1, 5, 30, 90, 150]) if k < 0.15 else rnd.randint(20, 120)
        seq = "".join(rnd.choice("ACGT") for _ in range(length))
        r = {"name": f"q{i:05d}", "seq": seq, "qual": [rnd.randint(2, 40)] * length}
        if rnd.random() < 0.3:
            r["tags"] = {"ZA": i, "XS": "x" * rnd.randint(0, 40)}
        if k >= 0.15 and length:
            name, ln = rnd.choice(REFS)
            pos = rnd.choice([7, 100, 101, ln - 200]) if rnd.random() < 0.4 else rnd.randrange(ln - 130)
            r.update(ref=name, pos=pos, flag=rnd.choice([0, 16]) if rnd.random() < 0.95 else 4, cigar=f"{length}M")
        else:
            r["flag"] = 4
        reads.append(r)
    return reads


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    d = tmp_path_factory.mktemp("cs")
    return write_bam(d / "in.bam", make_reads(3000), references=REFS)


def records(path):
    """(name, raw record bytes) in file order."""
    out = []
    with BamReader(path) as r:
        for ch in r.chunks():
            out += [(nm, ch.data[a:b]) for nm, a, b in zip(ch.names(), ch.off.tolist(), ch.end.tolist())]
    return out


def run_sorter(src, out, chunk_bytes=4096, **kw):
    with BamReader(src, chunk_bytes=chunk_bytes, max_records=50) as r, \
            CoordinateSorter(out, r.header_text, r.references, **kw) as s:
        for ch in r.chunks():
            a, b = int(ch.off[0]), int(ch.end[-1])
            s.add(ch.data[a:b], ch.refid, ch.pos, ch.block_size + 4, ch.flag)
    return s


@pytest.fixture
def work(tmp_path):
    """An empty directory of its own (tmp_path also holds the results root)."""
    d = tmp_path / "w"
    d.mkdir()
    return d


@pytest.fixture(scope="module")
def samtools_order(src, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("st") / "st.bam")
    pysam.sort("-o", out, src)
    return [nm for nm, _ in records(out)]


@pytest.mark.parametrize("memory_bytes,fan_in,min_runs,min_passes", [
    (16 << 20, 64, 0, 0),      # all in memory
    (20000, 64, 20, 0),        # runs of several batches, one merge
    (4000, 200, 50, 0),        # 60+ runs, one merge
    (4000, 8, 50, 1),          # 60+ runs -> 8+ -> output
    (1, 4, 50, 2),             # a run per batch, windows of one record: 60+ -> 15+ -> 4+ -> output
])
def test_order_matches_samtools_and_records_kept(src, samtools_order, work, memory_bytes, fan_in, min_runs, min_passes):
    out = str(work / "out.bam")
    s = run_sorter(src, out, memory_bytes=memory_bytes, fan_in=fan_in)
    assert s.count == s.written == 3000
    assert s.n_runs >= min_runs and (s.n_runs == 0) == (min_runs == 0)
    runs, passes = s.n_runs, 0
    while runs > fan_in:
        runs, passes = -(-runs // fan_in), passes + 1
    assert s.passes == passes >= min_passes
    got = records(out)
    assert [nm for nm, _ in got] == samtools_order
    assert sorted(b for _, b in got) == sorted(b for _, b in records(src))
    assert os.listdir(work) == ["out.bam"]  # temporary directory gone
    pysam.index(out)
    with pysam.AlignmentFile(out) as f:
        assert f.header.to_dict()["HD"]["SO"] == "coordinate"
        assert f.check_index()
        assert f.count("chr2", 0, 3000) == sum(1 for _, b in got if b[4:8] == b"\1\0\0\0")


def test_ties_and_unmapped_order(work):
    reads = [
        {"name": "u1", "seq": "ACGT", "flag": 4},
        {"name": "a_rev", "seq": "ACGT", "ref": "chr1", "pos": 10, "flag": 16},
        {"name": "a_fwd", "seq": "ACGT", "ref": "chr1", "pos": 10, "flag": 0},
        {"name": "u2", "seq": "ACGTA", "flag": 4},
        {"name": "b_fwd", "seq": "ACGT", "ref": "chr1", "pos": 10, "flag": 0},
        {"name": "c", "seq": "ACGT", "ref": "chr2", "pos": 0, "flag": 0},
        {"name": "d", "seq": "ACGT", "ref": "chr1", "pos": 9, "flag": 16},
        {"name": "u0", "seq": "", "flag": 4},
        {"name": "b_rev", "seq": "ACGT", "ref": "chr1", "pos": 10, "flag": 16},
    ]
    src = write_bam(work / "in.bam", reads, references=REFS)
    want = ["d", "a_fwd", "b_fwd", "a_rev", "b_rev", "c", "u1", "u2", "u0"]
    st = str(work / "st.bam")
    pysam.sort("-o", st, src)
    assert [nm for nm, _ in records(st)] == want
    for mem in (1 << 20, 1):
        out = str(work / f"o{mem}.bam")
        run_sorter(src, out, chunk_bytes=64, memory_bytes=mem)
        assert [nm for nm, _ in records(out)] == want


def test_keys():
    k = coordinate_keys(np.array([0, 0, 0, 1, -1, -1]), np.array([5, 5, 6, 0, -1, -1]),
                        np.array([16, 0, 0, 0, 4, 20]))
    assert list(np.argsort(k, kind="stable")) == [1, 0, 2, 3, 4, 5]
    assert k[4] < k[5]  # samtools also puts reverse-flagged unmapped reads after the others


def test_empty_input(work):
    out = str(work / "e.bam")
    with CoordinateSorter(out, "@HD\tVN:1.4\tSO:unsorted\n", REFS) as s:
        pass
    assert s.written == 0
    pysam.index(out)
    with pysam.AlignmentFile(out) as f:
        assert list(f.fetch(until_eof=True)) == [] and f.references == tuple(n for n, _ in REFS)
    assert sorted(os.listdir(work)) == ["e.bam", "e.bam.bai"]


def test_exception_leaves_nothing(src, work):
    out = str(work / "x.bam")
    with pytest.raises(RuntimeError):
        with BamReader(src, chunk_bytes=4096) as r, \
                CoordinateSorter(out, r.header_text, r.references, memory_bytes=2000) as s:
            for ch in r.chunks():
                a, b = int(ch.off[0]), int(ch.end[-1])
                s.add(ch.data[a:b], ch.refid, ch.pos, ch.block_size + 4, ch.flag)
            assert s.n_runs > 1 and os.listdir(work)  # runs on disk
            raise RuntimeError("aligner died")
    assert os.listdir(work) == []


def test_failure_while_merging_leaves_nothing(src, work, monkeypatch):
    from pipeline.stages import coordsort

    def boom(self, *a):
        raise OSError("disk full")

    monkeypatch.setattr(coordsort.CoordinateSorter, "_merge", boom)
    with pytest.raises(OSError, match="disk full"):
        run_sorter(src, str(work / "x.bam"), memory_bytes=5000)
    assert os.listdir(work) == []


def test_add_checks_lengths(work):
    with CoordinateSorter(str(work / "c.bam"), "", REFS) as s:
        with pytest.raises(ValueError):
            s.add(b"\0" * 10, [0], [0], [11], [0])
        with pytest.raises(ValueError):
            s.add(b"\0" * 10, [0, 0], [0], [10], [0])
