"""Flowgram input (format b: 1.wells + bead mask): run_analysis basecalls with numpy first
(status `Base Calling`), then runs the same stages; bead-find metrics and phasing come from
the run's mask and the basecaller's estimate."""
from pathlib import Path

import pytest

from analysis_support import analyse, barcode_kit, ingest, install_reference_of, read_truth, simulate
from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics

pytestmark = pytest.mark.django_db


def test_wells_run_is_basecalled_then_analysed():
    kit = barcode_kit(2)
    run = simulate("R_2024_01_02_03_04_05_user_wells", kit=kit, barcodes=2, reads=600, fmt="wells", seed=8)
    install_reference_of(run)
    result = ingest(run.run_dir)
    seen = []
    outcome = analyse(result, on_status=seen.append)
    assert outcome.ok, (result.status, (Path(result.report_dir) / "ReportLog.html").read_text()[-3000:])
    assert seen.index("Base Calling") < seen.index("Barcode Classification") < seen.index("Completed")

    folder = Path(result.report_dir)
    assert (folder / "basecaller_results" / "rawlib.basecaller.bam").is_file()
    assert (folder / "basecaller_results" / "BaseCaller.json").is_file()
    assert (folder / "sigproc_results").is_symlink()  # the run's mask and key traces
    assert (folder / "IonXpress_001_rawlib.bam").is_file()

    truth = read_truth(run)
    lib_beads = sum(1 for r in truth if r["kind"] == "lib")
    am = AnalysisMetrics.objects.get(report=result)
    assert am.lib == lib_beads + sum(1 for r in truth if r["kind"] == "badkey")
    assert am.tf == sum(1 for r in truth if r["kind"] == "tf")
    assert 0 < am.libFinal <= lib_beads
    assert am.sysCF == pytest.approx(0.6, abs=0.5)  # estimated from the flowgrams, percent
    lib = LibMetrics.objects.get(report=result)
    assert lib.totalNumReads == am.libFinal
    assert lib.total_mapped_reads > 0.8 * lib.totalNumReads
    assert QualityMetrics.objects.get(report=result).q0_reads == lib.totalNumReads
    assert (folder / "Bead_density_contour.png").is_file()
