"""run_analysis on a simulated barcoded run with an installed reference: the report moves
through the documented stages to Completed and gets its files, metric rows and fields."""
import json
from pathlib import Path

import pytest

from analysis_support import analyse, barcode_kit, ingest, install_reference_of, report_log, simulate
from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics, TFMetrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(settings):
    kit = barcode_kit(3)
    run = simulate("R_2024_01_02_03_04_05_user_ok", kit=kit, barcodes=3, reads=1500)
    install_reference_of(run)
    result = ingest(run.run_dir)
    seen = []
    outcome = analyse(result, on_status=seen.append)
    return result, outcome, seen, run


def test_status_moves_through_the_stages_to_completed_and_fields_are_set(completed):
    result, outcome, seen, _ = completed
    assert outcome.ok and outcome.reason == ""
    assert result.status == "Completed"
    assert seen[0] == "Started"
    for stage in ("Barcode Classification", "Metrics", "Uploading Metrics", "Plugins"):
        assert stage in seen, seen
    assert any(s.startswith("Alignment (") for s in seen)
    assert seen.index("Barcode Classification") < seen.index("Metrics") < seen.index("Uploading Metrics")
    assert seen[-1] == "Completed"
    assert all(len(s) <= 64 for s in seen)
    # fields the original sets at the end of an analysis
    assert result.processedflows == 260
    assert result.analysisVersion.startswith("db:") and "al:minimap2-" in result.analysisVersion
    assert int(result.timeToComplete) >= 0
    assert result.reportStatus == "Nothing"
    assert "error" not in (result.metaData or {})
    assert result.experiment.resultDate is not None


def test_report_folder_and_metric_rows(completed):
    result, _, _, _ = completed
    folder = Path(result.report_dir)
    params = json.loads((folder / "ion_params_00.json").read_text())
    assert params["barcodeId"] == "IonXpress" and params["referenceName"] == "simref"
    assert params["libraryKey"] == "TCAG" and params["flows"] == 260
    assert "Run Name = R_2024_01_02_03_04_05_user_ok" in (folder / "expMeta.dat").read_text()
    log = report_log(result)
    assert "status: Started" in log and "status: Completed" in log
    assert "<pre>" in (folder / "log.html").read_text()
    for bc in ("IonXpress_001", "IonXpress_002", "IonXpress_003"):
        assert (folder / f"{bc}_rawlib.bam").is_file()
        assert (folder / f"{bc}_rawlib.bam.bai").is_file()
        assert (folder / "basecaller_results" / f"{bc}_rawlib.basecaller.bam").exists()
    assert (folder / "basecaller_results" / "datasets_basecaller.json").is_file()
    assert (folder / "basecaller_results" / "ionstats_basecaller.json").is_file()
    assert (folder / "ionstats_alignment.json").is_file()
    assert (folder / "basecaller_results" / "readLenHisto.png").stat().st_size > 1000
    assert (folder / "barcode_read_counts.png").is_file()
    assert (folder / "iontrace_Library.png").is_file()
    # one row per metric table
    assert LibMetrics.objects.filter(report=result).count() == 1
    assert QualityMetrics.objects.filter(report=result).count() == 1
    assert AnalysisMetrics.objects.filter(report=result).count() == 1
    lib = LibMetrics.objects.get(report=result)
    assert lib.totalNumReads > 1000 and lib.total_mapped_reads > 0
    assert lib.genome == "simref" and lib.genomesize > 19_000
    am = AnalysisMetrics.objects.get(report=result)
    assert am.libFinal > 0 and am.bead > 0
    # no official TF templates in the database: no TF rows (they are optional)
    assert TFMetrics.objects.filter(report=result).count() == 0
