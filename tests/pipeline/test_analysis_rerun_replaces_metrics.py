"""Running the analysis of a report again replaces its metric rows (one LibMetrics,
QualityMetrics, AnalysisMetrics row, one TFMetrics row per TF), never duplicates them, and
numbers the parameter files of each run."""
from pathlib import Path

import pytest

from analysis_support import analyse, ingest, install_reference_of, simulate
from pipeline.simulate.tfs import TEST_FRAGMENTS
from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics, Template, TFMetrics

pytestmark = pytest.mark.django_db


def test_rerun_replaces_rows():
    for name, seq in TEST_FRAGMENTS.items():  # the simulator's TFs as official templates
        Template.objects.create(name=name, sequence=seq, key="ATCG", isofficial=True)
    run = simulate("R_2024_01_02_03_04_05_user_rerun", reads=800, tf_reads=1800, seed=3)
    install_reference_of(run)
    result = ingest(run.run_dir)
    assert analyse(result).ok, result.status
    first = {m: list(m.objects.filter(report=result).values_list("pk", flat=True))
             for m in (LibMetrics, QualityMetrics, AnalysisMetrics)}
    assert all(len(pks) == 1 for pks in first.values()), first
    tf_names = sorted(TFMetrics.objects.filter(report=result).values_list("name", flat=True))
    assert tf_names == sorted(TEST_FRAGMENTS)  # >= 500 reads each
    tf = TFMetrics.objects.get(report=result, name="TF_A")
    assert tf.number >= 500 and tf.sequence == TEST_FRAGMENTS["TF_A"] and tf.Q17Histo

    assert analyse(result).ok, result.status
    for model, old in first.items():
        rows = list(model.objects.filter(report=result))
        assert len(rows) == 1 and rows[0].pk not in old, model
    assert sorted(TFMetrics.objects.filter(report=result).values_list("name", flat=True)) == tf_names
    assert LibMetrics.objects.get(report=result).totalNumReads == 800
    folder = Path(result.report_dir)
    assert (folder / "ion_params_00.json").is_file() and (folder / "ion_params_01.json").is_file()


def test_rerun_after_the_reference_is_removed_drops_alignment_numbers():
    run = simulate("R_2024_01_02_03_04_05_user_rerun2", reads=600, seed=4)
    ref = install_reference_of(run)
    result = ingest(run.run_dir)
    assert analyse(result).ok
    assert LibMetrics.objects.get(report=result).total_mapped_reads > 500
    ref.enabled = False
    ref.save()
    assert analyse(result).ok
    lib = LibMetrics.objects.get(report=result)
    assert lib.total_mapped_reads == 0 and lib.q20_alignments == 0 and lib.align_sample == -1
    assert lib.totalNumReads == 600
