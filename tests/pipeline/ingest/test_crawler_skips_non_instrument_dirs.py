"""Only `<root>/<instrument>/<run>/` folders with an explog are ingested."""
import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment

pytestmark = pytest.mark.django_db


def test_non_instrument_folders_skipped(make_run, results_root):
    make_run("SomePlugin", rig="plugins").explog()
    make_run("Auto_x_1_001", rig="analysis").explog()
    make_run("R_hidden", rig=".snapshots").explog()
    make_run(".R_hidden_run", rig="PGM01").explog()
    make_run("R_no_explog_yet", rig="PGM01")
    (results_root / "PGM01" / "stray.txt").write_text("x")
    run = make_run("R_real", rig="PGM01").explog()
    report = crawl_once()
    assert report.folders_seen == 1
    assert list(Experiment.objects.values_list("unique", flat=True)) == [str(run.path)]


def test_missing_root():
    report = crawl_once("/nonexistent/results/root")
    assert report.folders_seen == 0 and report.outcomes == []
