"""pipeline.metrics_store: replace-never-duplicate, NULL/default handling, unknown keys,
absent tables, and all-or-nothing on failure (hand-written metric dicts)."""
import pytest

from analysis_support import launch_support
from pipeline.metrics_store import row_values, store_metrics
from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics, TFMetrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def result():
    return launch_support.create_report(name="Auto_metrics_store")


def metrics(total=12, tfs=("TF_A",), analysis=True):
    return {
        "libmetrics": {"totalNumReads": total, "raw_accuracy": 99.5, "total_mapped_target_bases": 1000,
                       "cf": None, "duplicate_reads": None, "not_a_field": 3},
        "qualitymetrics": {"q0_bases": 5, "q17_bases": 4, "q20_bases": 3, "q20_max_read_length": 40.0},
        "analysismetrics": {"bead": 450, "adjusted_addressable": 900, "loading": 50.0} if analysis else None,
        "tfmetrics": [{"name": n, "number": 600, "Q17Histo": "0 1 2"} for n in tfs],
    }


def test_rows_are_written_with_null_and_default_mapping(result):
    written = store_metrics(result, metrics())
    assert {k: len(v) for k, v in written.items()} == {
        "libmetrics": 1, "qualitymetrics": 1, "analysismetrics": 1, "tfmetrics": 1}
    lib = LibMetrics.objects.get(report=result)
    assert lib.totalNumReads == 12 and lib.raw_accuracy == 99.5 and lib.total_mapped_target_bases == 1000
    assert lib.cf == 0  # absent input, NOT NULL column -> default
    assert lib.duplicate_reads is None  # nullable column keeps NULL
    assert QualityMetrics.objects.get(report=result).q20_bases == 3
    assert AnalysisMetrics.objects.get(report=result).loading == 50.0


def test_store_again_replaces_rows(result):
    store_metrics(result, metrics(tfs=("TF_A", "TF_B")))
    store_metrics(result, metrics(total=99, tfs=("TF_A", "TF_B")))
    assert LibMetrics.objects.filter(report=result).count() == 1
    assert LibMetrics.objects.get(report=result).totalNumReads == 99
    assert TFMetrics.objects.filter(report=result).count() == 2


def test_absent_table_leaves_no_stale_row(result):
    store_metrics(result, metrics())
    store_metrics(result, metrics(analysis=False, tfs=()))
    assert not AnalysisMetrics.objects.filter(report=result).exists()
    assert not TFMetrics.objects.filter(report=result).exists()
    assert LibMetrics.objects.filter(report=result).count() == 1


def test_duplicate_tf_names_keep_one_row(result):
    store_metrics(result, metrics(tfs=("TF_A", "TF_A")))
    assert TFMetrics.objects.filter(report=result).count() == 1


def test_a_failing_write_keeps_the_previous_rows(result):
    store_metrics(result, metrics(total=7))
    bad = metrics()
    bad["qualitymetrics"]["q0_bases"] = "not a number"
    with pytest.raises((ValueError, TypeError)):
        store_metrics(result, bad)
    assert LibMetrics.objects.get(report=result).totalNumReads == 7
    assert QualityMetrics.objects.filter(report=result).count() == 1


def test_row_values_converts_numpy_and_nan():
    import numpy as np

    values = row_values(LibMetrics, {"totalNumReads": np.int64(4), "sysSNR": float("nan"), "x": 1})
    assert values == {"totalNumReads": 4, "sysSNR": 0.0}
    assert type(values["totalNumReads"]) is int
