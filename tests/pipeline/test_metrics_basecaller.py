"""Basecaller-level ionstats: hand-computed small BAMs."""
import json

import numpy as np
import pytest

from pipeline.metrics.ionstats import IonStats, ionstats_for_bam
from pipeline.metrics.tables import quality_metrics
from pipeline.stages.smallbam import write_bam

FO = "TACG" * 100


def stats_for(tmp_path, reads, **kw):
    path = write_bam(tmp_path / "in.bam", reads,
                     read_groups=({"ID": "R1", "SM": "s", "FO": FO, "KS": "TCAG"},))
    return ionstats_for_bam(path, **kw)


def test_full_histogram_and_q0_lengths(tmp_path):
    s = stats_for(tmp_path, [{"seq": "A" * n, "qual": [30] * n} for n in (10, 20, 30, 40)])
    full = s.basecaller_json()["full"]
    assert (full["num_reads"], full["num_bases"], full["max_read_length"], full["mean_read_length"]) == (4, 100, 40, 25)
    assert len(full["read_length_histogram"]) == 400
    q = quality_metrics(s)
    assert q["q0_median_read_length"] == 30
    assert q["q0_mode_read_length"] == 10
    assert q["q0_mean_read_length"] == 25.0
    assert q["q0_50bp_reads"] == 0


def test_q17_q20_lengths_are_true_prefix_lengths(tmp_path):
    s = stats_for(tmp_path, [{"seq": "A" * 100, "qual": [30] * 45 + [10] * 55}])
    assert s.q17.hist[55] == 1 and s.q17.num_reads == 1
    assert s.q20.hist[49] == 1
    q = quality_metrics(s)
    assert q["q17_max_read_length"] == 55 and q["q20_max_read_length"] == 49
    assert q["q0_max_read_length"] == 100  # not a copy of q0


def test_bad_start_gives_zero_length_but_counts_the_read(tmp_path):
    s = stats_for(tmp_path, [{"seq": "C" * 100, "qual": [7] * 10 + [40] * 90}])
    assert s.q17.hist[0] == 1 and s.q20.hist[0] == 1
    assert s.q17.num_reads == 1 == s.full.num_reads


def test_qv_histogram_clamps_to_63(tmp_path):
    s = stats_for(tmp_path, [{"seq": "ACGTA", "qual": [0, 17, 20, 63, 70]}])
    assert s.qv[0] == 1 and s.qv[17] == 1 and s.qv[20] == 1 and s.qv[63] == 2
    q = quality_metrics(s)
    assert (q["q0_bases"], q["q17_bases"], q["q20_bases"]) == (5, 4, 3)


def test_float_boundary_matches_sequential_sum(tmp_path):
    # 100 x QV20: the running mean of 0.01 drifts above 0.01 by rounding
    s = stats_for(tmp_path, [{"seq": "G" * 100, "qual": [20] * 100}])
    assert s.q20.hist[17] == 1
    assert s.q17.hist[100] == 1


def test_reverse_strand_walks_qualities_backwards(tmp_path):
    refs = [("chr1", 1000)]
    fwd = {"seq": "A" * 100, "qual": [30] * 45 + [10] * 55, "flag": 0, "ref": "chr1", "pos": 0,
           "tags": {"MD": "100"}}
    rev = dict(fwd, flag=16, qual=[10] * 55 + [30] * 45)
    for r in (fwd, rev):
        path = write_bam(tmp_path / "r.bam", [r], references=refs)
        s = ionstats_for_bam(path)
        assert s.q17.hist[55] == 1 and s.q20.hist[49] == 1


def test_histogram_clamps_long_reads_into_last_bin(tmp_path):
    s = stats_for(tmp_path, [{"seq": "A" * 500, "qual": [30] * 500}] * 3, histogram_length=350)
    assert s.full.hist[349] == 3 and s.full.max_read_length == 500
    q = quality_metrics(s)
    assert q["q0_150bp_reads"] == 3


def test_insert_histogram_from_za(tmp_path):
    s = stats_for(tmp_path, [{"seq": "A" * 50, "qual": [30] * 50, "tags": {"ZA": 42}},
                             {"seq": "A" * 50, "qual": [30] * 50}])
    assert s.insert.num_reads == 1 and s.insert.hist[42] == 1


def test_system_snr_from_zm_key_flows(tmp_path):
    rng = np.random.default_rng(3)
    key_flows = np.array([1, 0, 1, 0, 0, 1, 0])  # TCAG over TACG..., last key base excluded
    reads = []
    for _ in range(300):
        zm = np.where(key_flows == 1, 128, 0) + rng.choice([-13, 13], size=7)
        zm = np.concatenate([zm, rng.integers(0, 300, 33)]).astype(int).tolist()
        reads.append({"seq": "ACGT" * 5, "qual": [30] * 20, "tags": {"ZM": zm}})
    s = stats_for(tmp_path, reads)
    assert s.system_snr == pytest.approx(128 / 13, abs=0.5)
    assert s.snr_n[0, "ACGT".index("G")] > 0 and s.snr_n[1, "ACGT".index("G")] == 0
    assert s.ionogram is not None and s.ionogram[0] == pytest.approx(1.0, abs=0.1)


def test_no_flowgrams_no_snr(tmp_path):
    s = stats_for(tmp_path, [{"seq": "A" * 30, "qual": [30] * 30}])
    assert s.system_snr is None and s.ionogram is None


def test_json_roundtrip_and_merge(tmp_path):
    a = stats_for(tmp_path, [{"seq": "A" * n, "qual": [30] * n} for n in (10, 20)])
    b = IonStats.from_json(json.loads(json.dumps(a.basecaller_json())))
    b.merge(a)
    assert b.full.num_reads == 4 and b.full.num_bases == 60 and b.qv[30] == 60


def test_secondary_and_supplementary_records_are_skipped(tmp_path):
    refs = [("chr1", 1000)]
    base = {"seq": "A" * 40, "qual": [30] * 40, "ref": "chr1", "pos": 0, "tags": {"MD": "40"}}
    path = write_bam(tmp_path / "s.bam", [dict(base, flag=0), dict(base, flag=256), dict(base, flag=2048)],
                     references=refs)
    s = ionstats_for_bam(path)
    assert s.full.num_reads == 1 and s.aligned.num_reads == 1
