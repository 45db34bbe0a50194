"""Barcode classification (mode 1, flow space), trimming and per-barcode BAMs."""
import json
import random

import pysam
import pytest

from pipeline.stages.barcodes import FlowSpaceClassifier, classify_and_split, flow_vector, load_barcode_kit
from pipeline.stages.errors import PipelineError
from pipeline.stages.smallbam import write_bam

FO = "TACGTACGTCTGAGCATCGATCGATGTACAGC" * 20
TEMPLATE = "TTGCAGGACTGATCGATCGGATCCATGCA"
RG = ({"ID": "ABCDE", "SM": "x", "FO": FO, "KS": "TCAG", "PU": "PGM/314/CHIP"},)


@pytest.fixture(scope="module")
def kit(barcode_kit_file):
    with open(barcode_kit_file) as fh:
        return load_barcode_kit(json.load(fh))


def read_all(path):
    with pysam.AlignmentFile(path, check_sq=False) as f:
        return f.header.to_dict(), list(f)


def test_kit_loading_from_fixture(kit):
    assert len(kit) == 96 and kit[0]["id_str"] == "IonXpress_001"
    assert kit[0]["sequence"] == "CTAAGGTAAC" and kit[0]["adapter"] == "GAT"
    assert kit[0]["score_mode"] == 1 and kit[0]["score_cutoff"] == 2


def test_flow_vector():
    hp, flows = flow_vector("TCAGG", "TACG")
    assert hp == [1, 0, 1, 0, 0, 1, 0, 2] and flows == [0, 2, 5, 7, 7]


def test_classify_trim_and_write(tmp_path, kit):
    reads = [
        {"seq": "CTAAGGTAAC" + "GAT" + TEMPLATE, "qual": [30] * 42, "tags": {"ZA": 50, "ZF": 20}},
        {"seq": "CTAAAGGTAAC" + "GAT" + TEMPLATE, "qual": [25] * 43},  # HP over-call in the barcode
        {"seq": "TAAGGAGAAC" + "GAT" + TEMPLATE, "qual": [30] * 42},
        {"seq": "ACGTACGTACGTAAAA" + TEMPLATE, "qual": [30] * 45},  # no barcode
        {"seq": "", "qual": []},
    ]
    src = write_bam(tmp_path / "rawlib.basecaller.bam", reads, read_groups=RG)
    res = classify_and_split(src, str(tmp_path / "out"), kit, flow_order=FO, library_key="TCAG",
                             samples={"IonXpress_001": "S1"})
    ds = res["datasets"]
    assert res["run_id"] == "ABCDE" and res["total_reads"] == 5
    assert ds["IonXpress_001"]["read_count"] == 2 and ds["IonXpress_002"]["read_count"] == 1
    assert ds["nomatch"]["read_count"] == 2
    assert ds["IonXpress_001"]["barcode_errors_hist"] == [1, 1, 0]
    assert ds["IonXpress_001"]["total_bases"] == 2 * len(TEMPLATE)
    assert ds["IonXpress_001"]["Q20_bases"] == 2 * len(TEMPLATE)  # QV 30 and 25
    assert ds["nomatch"]["Q20_bases"] == 45 and ds["nomatch"]["total_bases"] == 45
    hdr, recs = read_all(ds["IonXpress_001"]["path"])
    rg = hdr["RG"][0]
    assert rg["ID"] == "ABCDE.IonXpress_001" and rg["KS"] == "TCAGCTAAGGTAACGAT" and rg["SM"] == "S1"
    assert rg["PU"] == "PGM/314/CHIP/IonXpress_001" and rg["FO"] == FO
    assert [r.query_sequence for r in recs] == [TEMPLATE, TEMPLATE]
    assert recs[0].get_tag("XB") == 0 and recs[1].get_tag("XB") == 1
    assert recs[0].get_tag("ZA") == 50 and recs[0].get_tag("ZF") == 20  # other tags kept
    assert recs[0].get_tag("RG") == "ABCDE.IonXpress_001"
    assert list(recs[1].query_qualities) == [25] * len(TEMPLATE)
    hdr, recs = read_all(ds["nomatch"]["path"])
    assert hdr["RG"][0]["ID"] == "ABCDE.nomatch" and hdr["RG"][0]["KS"] == "TCAG"
    assert recs[0].query_sequence == "ACGTACGTACGTAAAA" + TEMPLATE and not recs[0].has_tag("XB")


def test_equidistant_read_is_nomatch(tmp_path):  # tie rule
    kit = load_barcode_kit([
        {"id_str": "BC1", "sequence": "CTAAGGTAAC", "adapter": "GAT", "index": 1, "score_cutoff": 2},
        {"id_str": "BC2", "sequence": "CTAAAGGTAC", "adapter": "GAT", "index": 2, "score_cutoff": 2},
    ])
    src = write_bam(tmp_path / "r.bam", [{"seq": "CTAAAGGTAAC" + "GAT" + TEMPLATE, "qual": [30] * 43}],
                    read_groups=RG)
    res = classify_and_split(src, str(tmp_path / "o"), kit, flow_order=FO)
    assert res["datasets"]["nomatch"]["read_count"] == 1
    assert "BC1" not in res["datasets"] and "BC2" not in res["datasets"]


def test_errors_above_cutoff_go_to_nomatch(kit):
    clf = FlowSpaceClassifier(kit, FO, "TCAG")
    from pipeline.stages.bamio import nt16
    import numpy as np
    seqs = ["CTAAGGTAAC" + "GAT" + TEMPLATE, "CTTTAAAGGGTAAC" + "GAT" + TEMPLATE]
    codes = np.full((2, clf.prefix_bases), 15, np.uint8)
    for i, s in enumerate(seqs):
        c = nt16(s.encode())[:clf.prefix_bases]
        codes[i, :len(c)] = c
    bc, err, trim = clf.classify(codes)
    assert bc[0] == 0 and err[0] == 0 and trim[0] == 13
    assert bc[1] == -1


def test_random_trims_preserve_bases_and_qualities(tmp_path, kit):
    rnd = random.Random(5)
    reads, expect = [], []
    for i in range(200):
        b = kit[rnd.randrange(8)]
        t = "".join(rnd.choice("ACGT") for _ in range(rnd.randrange(0, 60)))
        t = "C" + t  # adapter ends in T: keep the template's first base distinct
        s = b["sequence"] + b["adapter"] + t
        q = [rnd.randrange(5, 40) for _ in s]
        reads.append({"seq": s, "qual": q, "name": f"R:{i:05d}:00000"})
        expect.append((b["id_str"], t, q[len(s) - len(t):]))
    src = write_bam(tmp_path / "rr.bam", reads, read_groups=RG)
    res = classify_and_split(src, str(tmp_path / "o"), kit, flow_order=FO)
    got = {}
    for name, d in res["datasets"].items():
        for r in read_all(d["path"])[1]:
            got[r.query_name] = (name, r.query_sequence or "", list(r.query_qualities or []))
    for i, (bc, t, q) in enumerate(expect):
        assert got[f"R:{i:05d}:00000"] == (bc, t, q)


def test_bad_inputs(tmp_path, kit):
    src = write_bam(tmp_path / "m.bam", [{"seq": "ACGT", "qual": [30] * 4, "flag": 0, "ref": "c", "pos": 0}],
                    references=[("c", 100)], read_groups=RG)
    with pytest.raises(PipelineError, match="unmapped"):
        classify_and_split(src, str(tmp_path / "o"), kit, flow_order=FO)
    with pytest.raises(PipelineError, match="flow order"):
        FlowSpaceClassifier(kit, "TAXG", "TCAG")
    with pytest.raises(PipelineError, match="duplicate"):
        load_barcode_kit([{"id_str": "A", "sequence": "ACGT"}, {"id_str": "A", "sequence": "AGGT"}])
    with pytest.raises(PipelineError, match="identical in flow space"):
        FlowSpaceClassifier(load_barcode_kit([{"id_str": "A", "sequence": "ACGT", "adapter": "GAT"},
                                              {"id_str": "B", "sequence": "ACGT", "adapter": "GAT"}]), FO)


def test_both_rewrite_strategies_give_identical_records(tmp_path, kit, monkeypatch):
    import pipeline.stages.barcodes as B
    rnd = random.Random(9)
    reads = []
    for i in range(120):
        b = kit[rnd.randrange(4)]
        t = "".join(rnd.choice("ACGT") for _ in range(rnd.randrange(0, 50)))
        s = (b["sequence"] + b["adapter"] if i % 5 else "") + t
        reads.append({"seq": s, "qual": [rnd.randrange(2, 40) for _ in s],
                      "tags": {"ZA": i, "ZM": [rnd.randrange(-50, 400) for _ in range(rnd.randrange(8, 60))]}})
    src = write_bam(tmp_path / "in.bam", reads, read_groups=RG)
    out = {}
    for name, limit in (("masks", 10 ** 9), ("slices", 0)):
        monkeypatch.setattr(B, "SLICE_RECORD_BYTES", limit)
        res = classify_and_split(src, str(tmp_path / name), kit, flow_order=FO)
        out[name] = {k: [r.to_string() for r in read_all(d["path"])[1]] for k, d in res["datasets"].items()}
    assert out["masks"] == out["slices"] and sum(len(v) for v in out["masks"].values()) == 120


@pytest.mark.parametrize("read_groups", [RG, ()])
def test_q20_bases_count_every_quality(tmp_path, kit, read_groups):
    """Q20 bases per dataset equal a count over the written qualities, including records
    without any tag (their qualities end the record, and the last one ends the chunk)."""
    rnd = random.Random(11)
    reads = []
    for i in range(120):
        b = kit[rnd.randrange(4)]
        s = b["sequence"] + b["adapter"] + "C" + "".join(rnd.choice("ACGT") for _ in range(rnd.randrange(0, 40)))
        reads.append({"seq": s, "qual": [rnd.choice((10, 19, 20, 21, 39)) for _ in s], "name": f"R:{i:05d}:00000"})
    src = write_bam(tmp_path / "q.bam", reads, read_groups=read_groups)
    res = classify_and_split(src, str(tmp_path / "o"), kit, flow_order=FO, chunk_bytes=700)
    for d in res["datasets"].values():
        recs = read_all(d["path"])[1]
        assert d["Q20_bases"] == sum(sum(q >= 20 for q in (r.query_qualities or [])) for r in recs)
        assert d["total_bases"] == sum(r.query_length for r in recs)
