"""Bad run folders are reported with a reason; the crawler goes on with the others."""
import pytest

import pipeline.ingest.crawler as crawler
from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db

GOOD = "R_2012_04_30_15_22_02_user_good"


def test_bad_explogs_do_not_stop_the_crawl(make_run, complete_run):
    make_run("R_a_garbled").write("explog.txt", bytes(range(256)) * 8)
    make_run("R_b_missing_keys").explog(drop=("Experiment Name", "Flows"))
    make_run("R_c_empty").write("explog.txt", b"")
    complete_run(GOOD)

    report = crawl_once()
    by_name = {o.folder.rsplit("/", 1)[1]: o for o in report.outcomes}
    assert by_name[GOOD].action == "created" and by_name[GOOD].result_id
    assert by_name["R_a_garbled"].action == "error"
    assert "no 'Key: Value' lines" in by_name["R_a_garbled"].reason
    assert by_name["R_b_missing_keys"].action == "error"
    assert "Experiment Name" in by_name["R_b_missing_keys"].reason
    assert "Flows (or Cycles)" in by_name["R_b_missing_keys"].reason
    assert "empty" in by_name["R_c_empty"].reason
    assert list(Experiment.objects.values_list("expName", flat=True)) == [GOOD]
    assert Results.objects.count() == 1

    again = crawl_once()  # still reported, without re-reading the unchanged files
    assert sorted(o.action for o in again.outcomes) == ["error"] * 3


def test_fixed_explog_is_picked_up(make_run):
    run = make_run("R_fixed").explog(drop=("Flows",))
    assert crawl_once().outcomes[0].action == "error"
    run.explog()
    assert crawl_once().outcomes[0].action == "created"


def test_garbled_final_falls_back_to_explog(make_run):
    run = make_run().explog().bam().write("explog_final.txt", b"\x00\x01 garbage\n" * 10)
    outcome = crawl_once().outcomes[0]
    assert outcome.action == "created"
    assert any("explog_final.txt unusable" in w for w in outcome.warnings)
    assert Experiment.objects.get(unique=str(run.path)).ftpStatus == "Complete"


def test_unexpected_exception_in_one_run(make_run, complete_run, monkeypatch):
    complete_run(GOOD)
    make_run("R_boom").explog({"Experiment Name": "R_boom"})
    real = crawler.ingest_run_folder

    def failing(folder, **kwargs):  # fault injection: a bug or DB hiccup while ingesting one run
        if str(folder).endswith("R_boom"):
            raise RuntimeError("disk on fire")
        return real(folder, **kwargs)

    monkeypatch.setattr(crawler, "ingest_run_folder", failing)
    report = crawl_once()
    reasons = {o.folder.rsplit("/", 1)[1]: (o.action, o.reason) for o in report.outcomes}
    assert reasons["R_boom"] == ("error", "RuntimeError: disk on fire")
    assert reasons[GOOD][0] == "created"
