"""minimap2 (mappy) alignment stage: MD/NM from the reference, unmapped reads and tags kept,
coordinate sorted + indexed."""
import os
import random

import pysam
import pytest

from pipeline.stages.align import align_bam, build_index, fasta_lengths
from pipeline.stages.errors import PipelineError
from pipeline.stages.smallbam import write_bam

RC = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    d = tmp_path_factory.mktemp("ref")
    rnd = random.Random(11)
    seqs = {"chrA": "".join(rnd.choice("ACGT") for _ in range(20000)),
            "chrB": "".join(rnd.choice("ACGT") for _ in range(8000))}
    fa = d / "ref.fasta"
    fa.write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
    mmi = build_index(str(fa), str(d / "ref.mmi"))
    return {"fasta": str(fa), "mmi": mmi, "seqs": seqs}


def test_fasta_lengths(reference):
    assert fasta_lengths(reference["fasta"]) == [("chrA", 20000), ("chrB", 8000)]


def test_align_keeps_everything_and_md_matches_reference(tmp_path, reference):
    A, B = reference["seqs"]["chrA"], reference["seqs"]["chrB"]
    rnd = random.Random(2)
    fwd = A[1000:1150]
    rev = B[3000:3120].translate(RC)[::-1]
    ins = A[5000:5060] + "G" + A[5060:5140]
    mm = A[9000:9050] + ("A" if A[9050] != "A" else "C") + A[9051:9130]
    junk = "".join(rnd.choice("ACGT") for _ in range(100))
    reads = [
        {"name": "r:fwd", "seq": fwd, "qual": list(range(10, 10 + len(fwd))), "tags": {"ZA": 140, "ZM": [128, 0, 128]}},
        {"name": "r:rev", "seq": rev, "qual": [20] * 60 + [30] * 60},
        {"name": "r:ins", "seq": ins, "qual": [30] * len(ins)},
        {"name": "r:mm", "seq": mm, "qual": [30] * len(mm)},
        {"name": "r:junk", "seq": junk, "qual": [30] * 100, "tags": {"ZA": 7}},
        {"name": "r:empty", "seq": "", "qual": []},
    ]
    src = write_bam(tmp_path / "in.bam", reads, read_groups=({"ID": "R1.BC1", "SM": "s"},))
    out = str(tmp_path / "BC1_rawlib.bam")
    res = align_bam(src, out, (reference["fasta"], reference["mmi"]), threads=2)
    assert res == {"path": out, "reads": 6, "mapped": 4}
    with pysam.AlignmentFile(out) as f:
        assert f.header.to_dict()["HD"]["SO"] == "coordinate"
        assert f.check_index()
        recs = {r.query_name: r for r in f.fetch(until_eof=True)}
        assert len(recs) == 6
        f.fetch("chrA", 0, 20000)  # index usable
    r = recs["r:fwd"]
    assert (r.reference_name, r.reference_start, r.is_reverse) == ("chrA", 1000, False)
    assert r.get_tag("NM") == 0 and r.get_tag("MD") == "150"
    assert r.get_tag("ZA") == 140 and list(r.get_tag("ZM")) == [128, 0, 128] and r.get_tag("RG") == "R1.BC1"
    assert list(r.query_qualities) == list(range(10, 160))
    r = recs["r:rev"]
    assert r.is_reverse and r.reference_name == "chrB" and r.reference_start == 3000
    assert r.query_sequence == B[3000:3120]
    assert list(r.query_qualities) == [30] * 60 + [20] * 60
    r = recs["r:ins"]
    assert r.get_tag("NM") == 1 and "I" in r.cigarstring
    r = recs["r:mm"]
    assert r.get_tag("NM") == 1
    for r in (recs["r:fwd"], recs["r:ins"], recs["r:mm"], recs["r:rev"]):
        ref = reference["seqs"][r.reference_name]
        for q, p, base in r.get_aligned_pairs(with_seq=True):
            if q is not None and p is not None:
                assert base.upper() == ref[p]  # MD reconstructs the true reference
    assert recs["r:junk"].is_unmapped and recs["r:junk"].get_tag("ZA") == 7
    assert recs["r:empty"].is_unmapped


def test_align_builds_from_fasta_without_index(tmp_path, reference):
    src = write_bam(tmp_path / "in.bam", [{"seq": reference["seqs"]["chrA"][100:200], "qual": [30] * 100}])
    res = align_bam(src, str(tmp_path / "o.bam"), reference["fasta"])
    assert res["mapped"] == 1


def test_align_errors(tmp_path, reference):
    with pytest.raises(PipelineError, match="not found"):
        align_bam(str(tmp_path / "none.bam"), str(tmp_path / "o.bam"), reference["fasta"])
    with pytest.raises(PipelineError, match="reference FASTA not found"):
        align_bam(str(tmp_path / "none.bam"), str(tmp_path / "o.bam"), str(tmp_path / "nope.fa"))


def test_align_sort_spills_to_runs_same_output(tmp_path, reference):
    """A tiny sort budget (many runs merged from disk) gives the same BAM records as the
    in-memory sort, odd-length reverse reads come out reverse complemented, and no
    temporary file is left."""
    A, B = reference["seqs"]["chrA"], reference["seqs"]["chrB"]
    rnd = random.Random(7)
    reads, truth = [], {}
    for i in range(300):
        name = f"r:{i}"
        if i % 10 == 9:
            reads.append({"name": name, "seq": "".join(rnd.choice("ACGT") for _ in range(80)), "qual": [25] * 80})
            continue
        ctg, seq = rnd.choice([("chrA", A), ("chrB", B)])
        ln = rnd.randint(60, 161)
        p = rnd.choice([500, 501, rnd.randrange(len(seq) - ln)])  # position ties on both strands
        s = seq[p:p + ln]
        q = [rnd.randint(5, 40) for _ in range(ln)]
        if rnd.random() < 0.5:
            reads.append({"name": name, "seq": s.translate(RC)[::-1], "qual": q[::-1]})
        else:
            reads.append({"name": name, "seq": s, "qual": q})
        truth[name] = (ctg, p, s, q)
    src = write_bam(tmp_path / "in.bam", reads)
    work = tmp_path / "w"
    work.mkdir()
    outs = {}
    for mem in ("16M", "2K", 1):
        out = str(work / f"o{mem}.bam")
        res = align_bam(src, out, (reference["fasta"], reference["mmi"]), sort_memory=mem, chunk_bytes=3000)
        assert res["reads"] == 300 and res["mapped"] == 270
        with pysam.AlignmentFile(out) as f:
            assert f.check_index()
            outs[mem] = [r.to_string() for r in f]
            f.reset()
            for r in f:
                if r.query_name in truth:
                    ctg, p, s, q = truth[r.query_name]
                    assert (r.reference_name, r.reference_start) == (ctg, p)
                    assert r.query_sequence == s and list(r.query_qualities) == q
    assert outs["16M"] == outs["2K"] == outs[1]
    assert sorted(os.listdir(work)) == sorted(f"o{m}.bam{x}" for m in ("16M", "2K", 1) for x in ("", ".bai"))


def test_parse_sort_memory():
    from pipeline.stages.align import parse_memory
    assert parse_memory("16M") == 16 << 20 and parse_memory("512k") == 512 << 10
    assert parse_memory(1000) == 1000 and parse_memory("1000") == 1000 and parse_memory("1G") == 1 << 30
    with pytest.raises(PipelineError, match="sort memory"):
        parse_memory("lots")
