"""A run with only its basecalled BAM (no BaseCaller.json, bead-find stats or key traces) and
a reference that is not installed still completes: unaligned, alignment and phasing numbers
at 0, no AnalysisMetrics row, the figures that need the missing files absent, and a warning in
the log."""
from pathlib import Path

import pytest

from analysis_support import analyse, ingest, report_log, simulate
from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics

pytestmark = pytest.mark.django_db


def test_bam_only_run_without_reference_completes():
    run = simulate("R_2024_01_02_03_04_05_user_bare", reads=400, seed=14)
    folder = Path(run.run_dir) / "basecaller_results"
    for path in folder.iterdir():
        if path.name != "rawlib.basecaller.bam":
            path.unlink()
    result = ingest(run.run_dir)
    assert result.eas.reference == "simref"  # named by the explog, never installed
    outcome = analyse(result)
    assert outcome.ok, result.status
    assert "reference 'simref' is not installed" in report_log(result)
    assert "al:" not in result.analysisVersion

    lib = LibMetrics.objects.get(report=result)
    assert lib.totalNumReads == 400 and lib.total_mapped_reads == 0 and lib.q20_alignments == 0
    assert lib.align_sample == -1 and lib.genome == "None" and lib.raw_accuracy == 0
    assert lib.cf == lib.ie == lib.dr == 0 and lib.aveKeyCounts == 0
    assert QualityMetrics.objects.get(report=result).q0_reads == 400
    assert not AnalysisMetrics.objects.filter(report=result).exists()

    report = Path(result.report_dir)
    assert (report / "rawlib.bam").exists()  # the unmapped BAM, linked at the root
    assert not (report / "ionstats_alignment.json").exists()
    assert not (report / "Bead_density_contour.png").exists()
    assert not (report / "iontrace_Library.png").exists()
    assert (report / "basecaller_results" / "readLenHisto.png").exists()
