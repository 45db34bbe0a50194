"""Test-fragment processing: rawtf.basecaller.bam aligned to the TF sequences -> TFMetrics rows."""
import random

from pipeline.stages.run import run_stages
from pipeline.stages.smallbam import write_bam

FO = "TACG" * 100
TF_A = "TACGAGCGTGTAGACGTGTCGTACGTGCGACGTAGTGAGTATACATGCTCTGACACTATGTACGATCTGAGACTGCCAAGGCACACAGGGGATAGG"


def test_tf_rows_from_rawtf_bam(tmp_path):
    run = tmp_path / "run"
    bc = run / "basecaller_results"
    bc.mkdir(parents=True)
    rnd = random.Random(1)
    lib = [{"seq": "".join(rnd.choice("ACGT") for _ in range(60)), "qual": [30] * 60} for _ in range(5)]
    write_bam(bc / "rawlib.basecaller.bam", lib, read_groups=({"ID": "R1", "SM": "s", "FO": FO, "KS": "TCAG"},))
    tf_reads = []
    for i in range(520):
        s = TF_A[:rnd.randrange(70, len(TF_A))]
        tf_reads.append({"seq": s, "qual": [30] * len(s)})
    write_bam(bc / "rawtf.basecaller.bam", tf_reads, read_groups=({"ID": "R1.TF", "SM": "s", "FO": FO, "KS": "ATCG"},))
    (run / "avgNukeTrace_ATCG.txt").write_text("A 1 70 2\nT 1 75 2\nC 1 60 2\n")
    res = run_stages(str(run), str(tmp_path / "rep"), test_fragments=[{"name": "TF_A", "sequence": TF_A},
                                                                       {"name": "TF_B", "sequence": "ACGT" * 30}])
    rows = res["metrics"]["tfmetrics"]
    assert [r["name"] for r in rows] == ["TF_A"]  # TF_B: no reads (< 500) -> no row
    r = rows[0]
    assert r["number"] == 520 and r["sequence"] == TF_A and r["aveKeyCount"] == 70.0
    assert r["Q17ReadCount"] == 520 and r["Q17Mean"] >= 70
    assert len(r["Q17Histo"].split()) == res["histogram_length"]
    assert r["HPAccuracy"].startswith("0 : 0/0")
    assert res["figures"]["iontrace_tf"]
