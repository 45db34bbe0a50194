"""Crawling a finished run again creates nothing: one Experiment, one Results, one job."""
import pytest

from pipeline.ingest.crawler import crawl_once
from pipeline.ingest.runs import ingest_run_folder
from rundb.models import AnalysisJob, Experiment, ExperimentAnalysisSettings, Results

pytestmark = pytest.mark.django_db


def _counts():
    return (Experiment.objects.count(), ExperimentAnalysisSettings.objects.count(),
            Results.objects.count(), AnalysisJob.objects.count())


def test_crawl_twice_one_report(complete_run):
    run = complete_run()
    first = crawl_once()
    assert first.outcomes[0].action == "created" and first.outcomes[0].result_id
    assert _counts() == (1, 1, 1, 1)
    assert Experiment.objects.get().ftpStatus == "Complete"

    second = crawl_once()
    assert second.outcomes == [] and second.skipped_finished == 1  # not even read
    outcome = ingest_run_folder(run.path)  # a forced re-ingest is a no-op too
    assert outcome.action == "unchanged", outcome.changed
    assert _counts() == (1, 1, 1, 1)


def test_deleted_auto_report_is_not_recreated(complete_run):
    run = complete_run()
    crawl_once()
    Results.objects.all().delete()
    crawl_once()
    ingest_run_folder(run.path)
    assert Results.objects.count() == 0
