"""AutoAnalyze off (explog or crawl option): the run completes but no report is created."""
import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db


def test_autoanalyze_no(complete_run):
    complete_run(entries={"AutoAnalyze": "no"})
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.ftpStatus == "Complete" and exp.autoAnalyze is False
    assert not Results.objects.exists()
    assert crawl_once().skipped_finished == 1


def test_crawl_without_auto_analysis(complete_run):
    complete_run()
    crawl_once(auto_analysis=False)
    assert Experiment.objects.get().ftpStatus == "Complete"
    assert not Results.objects.exists()
    crawl_once()  # auto-analysis back on: the finished run now gets its report
    assert Results.objects.count() == 1
