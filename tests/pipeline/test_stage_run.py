"""run_stages(): the whole chain on small runs (barcoded + reference, plain, pre-classified, empty)."""
import json
import os
import random

import numpy as np
import pysam
import pytest

from pipeline.stages.align import build_index
from pipeline.stages.run import run_stages
from pipeline.stages.smallbam import write_bam

FO = "TACGTACGTCTGAGCATCGATCGATGTACAGC" * 16
KIT = [
    {"id_str": "IonXpress_001", "sequence": "CTAAGGTAAC", "adapter": "GAT", "index": 1, "score_cutoff": 2,
     "score_mode": 1, "name": "IonXpress"},
    {"id_str": "IonXpress_002", "sequence": "TAAGGAGAAC", "adapter": "GAT", "index": 2, "score_cutoff": 2,
     "score_mode": 1, "name": "IonXpress"},
    {"id_str": "IonXpress_003", "sequence": "AAGAGGATTC", "adapter": "GAT", "index": 3, "score_cutoff": 2,
     "score_mode": 1, "name": "IonXpress"},
]
RG = ({"ID": "RUN01", "SM": "s", "FO": FO, "KS": "TCAG", "PU": "PGM/314/CHIP"},)


@pytest.fixture(scope="module")
def genome(tmp_path_factory):
    d = tmp_path_factory.mktemp("g")
    rnd = random.Random(4)
    seq = "".join(rnd.choice("ACGT") for _ in range(30000))
    fa = d / "small.fasta"
    fa.write_text(f">chr1\n{seq}\n")
    return {"fasta": str(fa), "mmi": build_index(str(fa), str(d / "small.mmi")), "seq": seq}


def make_reads(genome, n_per_bc=(40, 30, 2), n_junk=5, seed=1):
    rnd = random.Random(seed)
    reads = []

    def zm():
        return [v + rnd.choice((-12, 12)) for v in (128, 0, 128, 0, 0, 128, 0, 128)] + [64] * 30
    for b, n in zip(KIT, n_per_bc):
        for _ in range(n):
            p = rnd.randrange(0, 29000)
            while genome["seq"][p] == "T":  # would merge with the adapter's last base (T)
                p += 1
            t = genome["seq"][p:p + rnd.randrange(60, 150)]
            s = b["sequence"] + b["adapter"] + t
            reads.append({"seq": s, "qual": [32] * len(s), "tags": {"ZM": zm(), "ZA": len(t)}})
    for _ in range(n_junk):
        s = "".join(rnd.choice("ACGT") for _ in range(80))
        reads.append({"seq": s, "qual": [25] * 80, "tags": {"ZM": zm()}})
    return reads


def optional_files(run):
    sp = run / "sigproc_results"
    sp.mkdir()
    (sp / "analysis.bfmask.stats").write_text(
        "[global]\nTotal Wells = 6000\nExcluded Wells = 0\nBead Wells = 3000\nLibrary Beads = 2800\n")
    flags = np.zeros((60, 100), np.uint16)
    flags[:, :50] = 2
    with open(sp / "analysis.bfmask.bin", "wb") as fh:
        fh.write(np.array([60, 100], "<u4").tobytes() + flags.astype("<u2").tobytes())
    (sp / "avgNukeTrace_TCAG.txt").write_text("T 1 80 2\nC 1 100 2\nA 1 90 2\n")
    (run / "basecaller_results" / "BaseCaller.json").write_text(
        json.dumps({"Phasing": {"CF": 0.006, "IE": 0.004, "DR": 0.001},
                    "Filtering": {"ReadDetails": {"lib": {"valid": 77}, "tf": {"valid": 3}}}}))


def test_barcoded_run_with_reference(tmp_path, genome):
    run = tmp_path / "run"
    (run / "basecaller_results").mkdir(parents=True)
    write_bam(run / "basecaller_results" / "rawlib.basecaller.bam", make_reads(genome), read_groups=RG)
    optional_files(run)
    rep = tmp_path / "report"
    seen = []
    res = run_stages(str(run), str(rep), barcode_kit=KIT, reference=(genome["fasta"], genome["mmi"]),
                     progress=seen.append, samples={"IonXpress_002": "S2"}, run_name="R1")
    assert seen[0] == "Barcode Classification" and seen[-1] == "Completed"
    assert any(s.startswith("Alignment") for s in seen)
    assert res["status"] == "Completed" and not res["empty"] and res["run_id"] == "RUN01"
    assert res["read_counts"] == {"nomatch": 5, "IonXpress_001": 40, "IonXpress_002": 30, "IonXpress_003": 2}
    by = {e["name"]: e for e in res["datasets"]}
    assert by["IonXpress_001"]["aligned"] and by["IonXpress_001"]["bam"] == str(rep / "IonXpress_001_rawlib.bam")
    assert os.path.exists(rep / "IonXpress_001_rawlib.bam.bai")
    assert os.path.exists(rep / "nomatch_rawlib.bam") and not by["nomatch"]["aligned"]
    # IonXpress_003 (2 reads, no sample) is frequency-filtered: files moved, out of the totals
    assert by["IonXpress_003"]["filtered"] and "frequency_filtered_barcodes" in by["IonXpress_003"]["bam"]
    assert not os.path.exists(rep / "IonXpress_003_rawlib.bam")
    lm, qm = res["metrics"]["libmetrics"], res["metrics"]["qualitymetrics"]
    assert lm["totalNumReads"] == 75 and qm["q0_reads"] == 75
    assert lm["total_mapped_reads"] == 70 and lm["raw_accuracy"] == 100.0
    assert lm["genome"] == "small" and lm["genomesize"] == 30000
    assert lm["cf"] == pytest.approx(0.6) and lm["aveKeyCounts"] == 90.0 and lm["sysSNR"] > 5
    am = res["metrics"]["analysismetrics"]
    assert am["loading"] == pytest.approx(50.0) and am["libFinal"] == 77
    for k in ("read_length_histogram", "bead_density", "barcode_read_counts", "ionogram", "iontrace_library"):
        assert res["figures"][k] and os.path.exists(res["figures"][k]), k
    assert res["figures"]["iontrace_tf"] is None
    assert open(rep / "raw_peak_signal").read().strip() == "Library = 90"
    ds = json.load(open(rep / "basecaller_results" / "datasets_basecaller.json"))
    assert ds["read_groups"]["RUN01.IonXpress_003"]["filtered"] is True
    aln = json.load(open(rep / "ionstats_alignment.json"))
    assert aln["aligned"]["num_reads"] == 70
    bc = json.load(open(rep / "basecaller_results" / "ionstats_basecaller.json"))
    assert bc["full"]["num_reads"] == 75
    assert set(res["barcodes_json"]) == {"IonXpress_001", "IonXpress_002"}
    assert res["barcodes_json"]["IonXpress_002"]["sample"] == "S2"
    with pysam.AlignmentFile(str(rep / "IonXpress_002_rawlib.bam")) as f:
        assert f.header.to_dict()["RG"][0]["SM"] == "S2"


def test_plain_run_without_reference_or_optional_files(tmp_path, genome):
    run = tmp_path / "run"
    (run / "basecaller_results").mkdir(parents=True)
    reads = [{"seq": genome["seq"][i * 100:i * 100 + 90], "qual": [30] * 90} for i in range(20)]
    write_bam(run / "basecaller_results" / "rawlib.basecaller.bam", reads, read_groups=RG)
    res = run_stages(str(run), str(tmp_path / "rep"))
    assert res["read_counts"] == {"rawlib": 20} and not res["barcoded"]
    assert os.path.islink(tmp_path / "rep" / "rawlib.bam")
    assert res["metrics"]["analysismetrics"] is None
    lm = res["metrics"]["libmetrics"]
    assert lm["total_mapped_reads"] == 0 and lm["align_sample"] == -1 and lm["cf"] is None
    assert res["ionstats"]["alignment"] is None
    assert res["figures"]["bead_density"] is None and res["figures"]["ionogram"] is None
    assert res["figures"]["read_length_histogram"]
    assert list(res["barcodes_json"]) == ["nonbarcoded"]


def test_preclassified_input(tmp_path, genome):
    run = tmp_path / "run"
    d = run / "basecaller_results"
    d.mkdir(parents=True)
    for name, n in (("IonXpress_001", 12), ("nomatch", 3)):
        rg = ({"ID": f"RUN01.{name}", "SM": "none", "FO": FO, "KS": "TCAG"},)
        reads = [{"seq": genome["seq"][i * 50:i * 50 + 70], "qual": [30] * 70} for i in range(n)]
        write_bam(d / f"{name}_rawlib.basecaller.bam", reads, read_groups=rg)
    res = run_stages(str(run), str(tmp_path / "rep"), barcode_kit=KIT, reference=genome["fasta"])
    assert res["read_counts"]["IonXpress_001"] == 12 and res["read_counts"]["nomatch"] == 3
    assert res["read_counts"]["IonXpress_002"] == 0
    assert res["metrics"]["libmetrics"]["total_mapped_reads"] == 12


def test_empty_run_completes_with_zero_metrics(tmp_path):
    run = tmp_path / "run"
    (run / "basecaller_results").mkdir(parents=True)
    write_bam(run / "basecaller_results" / "rawlib.basecaller.bam", [], read_groups=RG)
    res = run_stages(str(run), str(tmp_path / "rep"), barcode_kit=KIT)
    assert res["status"] == "Completed" and res["empty"] and res["total_reads"] == 0
    assert res["metrics"]["qualitymetrics"]["q0_reads"] == 0
    assert res["figures"]["read_length_histogram"] is None
