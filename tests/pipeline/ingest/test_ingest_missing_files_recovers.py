"""explog_final without data: Missing File(s), no report; the data arriving later completes it."""
import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db


def test_missing_then_arrives(make_run):
    run = make_run().explog().final()
    crawl_once()
    assert Experiment.objects.get().ftpStatus == "Missing File(s)"
    assert not Results.objects.exists()

    report = crawl_once()  # nothing new on disk: only a presence check, no ingest
    assert report.outcomes == [] and report.skipped_finished == 1

    run.bam()
    crawl_once()
    assert Experiment.objects.get().ftpStatus == "Complete"
    assert Results.objects.count() == 1


@pytest.mark.parametrize("layout", [
    "basecaller_results/IonXpress_001_rawlib.basecaller.bam",
    "sigproc_results/1.wells",
    "onboard_results/sigproc_results/block_X0_Y0/1.wells",
])
def test_other_input_formats_complete_the_run(make_run, layout):
    make_run().explog().write(layout, b"x").final()
    crawl_once()
    assert Experiment.objects.get().ftpStatus == "Complete"
