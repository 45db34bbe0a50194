"""ftpStatus only moves forward; an aborted run stays aborted and is analysed once."""
import pytest

from pipeline.ingest.crawler import crawl_once
from pipeline.ingest.runs import ingest_run_folder
from pipeline.ingest.transfer import advance
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db


def test_advance_order():
    assert advance("", "3") == "3"
    assert advance("5", "3") == "5"
    assert advance("5", "") == "5"
    assert advance("12", "Missing File(s)") == "Missing File(s)"
    assert advance("Missing File(s)", "Complete") == "Complete"
    assert advance("Complete", "12") == "Complete"
    assert advance("Complete", "Missing File(s)") == "Complete"
    assert advance("User Aborted", "Complete") == "User Aborted"
    assert advance("Complete", "User Aborted") == "User Aborted"
    assert advance("Lost Chip Connection", "User Aborted") == "Lost Chip Connection"
    assert advance("Transferring", "Complete") == "Complete"


def test_transfer_counts_then_abort(make_run):
    run = make_run().explog({"Flows": "8"})
    for i in range(3):
        run.write(f"acq_{i:04d}.dat", b"")
    ingest_run_folder(run.path)
    assert Experiment.objects.get().ftpStatus == "3"  # acq files counted while transferring
    for i in range(3, 5):
        run.write(f"acq_{i:04d}.dat", b"")
    ingest_run_folder(run.path)
    assert Experiment.objects.get().ftpStatus == "5"
    run.final({"Flows": "8"}, warnings="Critical: Aborted")
    outcome = ingest_run_folder(run.path)
    assert outcome.ftpStatus == "User Aborted" and outcome.result_id  # aborted runs still get their report
    run.raw(8)  # all files there now: still aborted, still one report
    ingest_run_folder(run.path)
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.ftpStatus == "User Aborted"
    assert Results.objects.filter(experiment=exp).count() == 1


def test_status_never_moves_back(make_run):
    run = make_run().explog({"Flows": "8"})
    ingest_run_folder(run.path)
    Experiment.objects.update(ftpStatus="Complete")
    ingest_run_folder(run.path)  # no explog_final: the folder alone would say ""
    assert Experiment.objects.get().ftpStatus == "Complete"
