"""Raw-image runs: complete when the last acq file and beadfind are there (checks 5, 6)."""
import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db


def test_complete_raw_run(make_run):
    run = make_run().explog({"Flows": "500"}).raw(500).final({"Flows": "500", "Final Only Key": "yes"})
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.ftpStatus == "Complete"
    assert exp.log["final_only_key"] == "yes"  # log now holds explog_final
    assert Results.objects.filter(experiment=exp).count() == 1
    report = crawl_once()
    assert report.skipped_finished == 1 and report.outcomes == []
    assert run.path.is_dir()


def test_missing_last_acq_file(make_run):
    make_run().explog({"Flows": "500", "AnalyzeEarly": "no"}).raw(500, skip_last=True).final({"Flows": "500"})
    report = crawl_once()
    exp = Experiment.objects.get()
    assert exp.ftpStatus == "Missing File(s)"
    assert not Results.objects.exists()
    assert any("acq_0499.dat" in w for w in report.outcomes[0].warnings)


def test_missing_beadfind_when_prebeadfind(make_run):
    make_run().explog({"Flows": "8"}).raw(8, prebeadfind=False).final({"Flows": "8"})
    crawl_once()
    assert Experiment.objects.get().ftpStatus == "Missing File(s)"
