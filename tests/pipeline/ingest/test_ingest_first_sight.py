"""A new run folder with only explog.txt: one Experiment, Rig, plan copy."""
from datetime import datetime, timezone

import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Location, PlannedExperiment, Results, Rig

pytestmark = pytest.mark.django_db


def test_first_crawl_creates_experiment_rig_and_plan(make_run):
    run = make_run(rig="PGM01").explog()
    report = crawl_once()
    assert [o.action for o in report.outcomes] == ["created"]

    exp = Experiment.objects.get()
    assert exp.unique == str(run.path) and exp.expDir == str(run.path)
    assert (exp.status, exp.ftpStatus) == ("run", "")
    assert exp.expName == "R_2012_04_30_15_22_02_user_T1"
    assert exp.pgmName == "PGM01" and exp.platform == "PGM" and exp.chipType == "314"
    assert (exp.flows, exp.cycles, exp.flowsInOrder) == (40, 1, "TACGTACGTCTGAGCATCGATCGATGTACAGC")
    assert exp.date == datetime(2012, 4, 30, 15, 22, 2, tzinfo=timezone.utc)
    assert exp.log["experiment_name"] == exp.expName

    rig = Rig.objects.get(pk="PGM01")
    assert rig.location == Location.objects.get(defaultlocation=True)
    assert rig.last_experiment == exp.expName

    plan = exp.plan
    assert plan.planName == f"CopyOfSystemDefault_{exp.expName}"
    assert (plan.planStatus, plan.planExecuted, plan.origin) == ("run", True, "crawler")
    assert len(plan.planShortID) == 5
    eas = exp.eas_set.get()
    assert (eas.reference, eas.barcodeKitName, eas.libraryKey, eas.status) == ("hg19", "", "TCAG", "run")
    assert not Results.objects.exists()  # run not finished yet


def test_second_crawl_changes_nothing(make_run):
    make_run().explog()
    crawl_once()
    before = list(Experiment.objects.values())
    report = crawl_once()
    assert [o.action for o in report.outcomes] == ["unchanged"]
    assert list(Experiment.objects.values()) == before
    assert PlannedExperiment.objects.count() == 1 and Rig.objects.count() == 1


def test_display_name_is_the_run_name_without_its_date(make_run):
    make_run().explog()
    crawl_once()
    assert Experiment.objects.get().displayName == "user T1"


def test_display_name_comes_from_a_linked_plan(make_run):
    PlannedExperiment.objects.create(planShortID="ABCDE", planName="Lab plan", planDisplayedName="Lab plan 7")
    make_run().explog({"Planned Run Short ID": "ABCDE"})
    crawl_once()
    assert Experiment.objects.get().displayName == "Lab plan 7"
