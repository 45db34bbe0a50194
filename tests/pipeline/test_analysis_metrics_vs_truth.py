"""Metric rows written by run_analysis against the simulator's per-read truth.

Run 1 (untrimmed barcoded reads, classified by the pipeline): reads per barcode and the
nomatch bin equal the truth exactly (no barcode errors simulated). Run 2 (instrument-
classified per-barcode BAMs, lower qualities so Q17/Q20 lengths are shorter than the reads):
QualityMetrics' q17/q20 rows hold the true Q17/Q20 lengths, equal to the truth computed on the
same QVs; mapped reads, mapped bases and raw accuracy agree with the truth within the
aligner's tolerance; AQ counts are bounded by the truth.
"""
import json
from pathlib import Path

import numpy as np
import pytest

from analysis_support import analyse, barcode_kit, ingest, install_reference_of, read_truth, simulate
from rundb.models import LibMetrics, QualityMetrics

pytestmark = pytest.mark.django_db

LOW_QUALITY = {"start": 30, "end": 8, "span": 200}


def _ints(rows, column):
    return np.array([int(r[column]) for r in rows], dtype=np.int64)


def test_reads_per_barcode_equal_the_truth():
    kit = barcode_kit(4)
    run = simulate("R_2024_01_02_03_04_05_user_bc", kit=kit, barcodes=4, reads=1200, seed=21)
    install_reference_of(run)
    result = ingest(run.run_dir)
    assert analyse(result).ok, result.status
    truth = [r for r in read_truth(run) if r["kind"] == "lib"]
    expected = {}
    for r in truth:
        expected[r["barcode"]] = expected.get(r["barcode"], 0) + 1
    datasets = json.loads((Path(result.report_dir) / "basecaller_results" / "datasets_basecaller.json").read_text())
    got = {ds["dataset_name"]: ds["read_count"] for ds in datasets["datasets"]}
    for name, count in expected.items():
        assert got.get(name) == count, (name, got, expected)
    assert sum(got.values()) == len(truth)
    lib = LibMetrics.objects.get(report=result)
    assert lib.totalNumReads == len(truth)


@pytest.fixture
def preclassified():
    kit = barcode_kit(3)
    run = simulate("R_2024_01_02_03_04_05_user_pq", kit=kit, barcodes=3, reads=1500, seed=5,
                   preclassified=True, quality=LOW_QUALITY)
    install_reference_of(run)
    result = ingest(run.run_dir)
    assert analyse(result).ok, result.status
    truth = [r for r in read_truth(run) if r["kind"] == "lib"]
    return result, truth


def test_quality_metrics_hold_the_true_q17_q20_lengths(preclassified):
    result, truth = preclassified
    qm = QualityMetrics.objects.get(report=result)
    read_len, q17, q20 = _ints(truth, "read_len"), _ints(truth, "q17_len"), _ints(truth, "q20_len")
    assert q20.mean() < q17.mean() < read_len.mean()  # the low QVs really shorten them
    assert qm.q0_reads == qm.q17_reads == qm.q20_reads == len(truth)
    assert qm.q0_bases == read_len.sum()
    assert qm.q0_mean_read_length == pytest.approx(read_len.mean())
    assert qm.q17_mean_read_length == pytest.approx(q17.mean(), abs=1e-6)
    assert qm.q20_mean_read_length == int(q20.mean())  # integer column, as the original
    assert qm.q17_max_read_length == q17.max() and qm.q20_max_read_length == q20.max()
    for bp in (50, 100, 150):
        assert getattr(qm, f"q17_{bp}bp_reads") == int((q17 >= bp).sum())
        assert getattr(qm, f"q20_{bp}bp_reads") == int((q20 >= bp).sum())
    assert qm.q17_median_read_length == pytest.approx(np.median(q17), abs=1)


def test_alignment_metrics_agree_with_the_truth(preclassified):
    result, truth = preclassified
    lib = LibMetrics.objects.get(report=result)
    barcoded = [r for r in truth if r["barcode"] not in ("nomatch", "")]  # nomatch is not aligned
    inserts = np.minimum(_ints(barcoded, "insert_len"), _ints(barcoded, "read_len"))
    errors = sum(_ints(barcoded, c) for c in ("n_sub", "n_ins", "n_del"))  # n_hp: a subset of ins+del
    assert len(barcoded) * 0.97 <= lib.total_mapped_reads <= len(barcoded)
    assert lib.total_mapped_target_bases == pytest.approx(inserts.sum(), rel=0.02)
    true_accuracy = 100.0 * (1 - errors.sum() / inserts.sum())
    assert lib.raw_accuracy == pytest.approx(true_accuracy, abs=0.2)
    # AQ20: at least the reads whose whole alignment has <= 1% errors; at most the mapped ones
    clean = int(((errors <= 0.01 * inserts) & (inserts >= 21)).sum())
    assert clean * 0.97 <= lib.q20_alignments <= lib.total_mapped_reads
    error_free = int(((errors == 0) & (inserts >= 21)).sum())
    assert error_free * 0.97 <= lib.q47_alignments <= lib.q20_alignments <= lib.q17_alignments <= lib.q7_alignments
    assert lib.q7_mapped_bases >= lib.q20_mapped_bases >= lib.q47_mapped_bases > 0
    # reads with an AQ20 length >= 100: the clean long ones at least, the long ones at most
    clean_long = int(((inserts >= 100) & (errors <= 0.01 * inserts)).sum())
    assert clean_long * 0.97 <= lib.i100Q20_reads <= int((inserts >= 100).sum())
