"""A run naming a planned run's short ID is linked to it; the plan's settings are used."""
import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, ExperimentAnalysisSettings, PlannedExperiment, Results

pytestmark = pytest.mark.django_db

PLUGINS = {"coverageAnalysis": {"name": "coverageAnalysis", "userInput": {}}}


def _plan(**kwargs):
    values = dict(planName="my plan", planShortID="ABCDE", planStatus="planned", barcodeId="IonXpress",
                  library="ecoli", selectedPlugins=PLUGINS, chipType="318", runMode="single")
    values.update(kwargs)
    return PlannedExperiment.objects.create(**values)


def test_plan_linked_by_short_id(complete_run):
    plan = _plan()
    complete_run(entries={"Planned Run Short ID": "abcde", "barcodeId": None, "Library": None, "ChipType": None})
    crawl_once()
    exp = Experiment.objects.get()
    plan.refresh_from_db()
    assert exp.plan == plan
    assert (plan.planExecuted, plan.planStatus, plan.expName) == (True, "run", exp.expName)
    assert plan.planExecutedDate is not None
    assert exp.chipType == "318" and exp.runMode == "single"
    eas = exp.eas_set.get()
    assert (eas.barcodeKitName, eas.reference, eas.selectedPlugins) == ("IonXpress", "ecoli", PLUGINS)
    assert Results.objects.get().eas == eas
    assert PlannedExperiment.objects.count() == 1  # no CopyOfSystemDefault plan


def test_planned_experiment_row_becomes_the_run(complete_run):
    plan = _plan()
    planned = Experiment.objects.create(plan=plan, unique="planned-placeholder", status="planned", expName="p")
    ExperimentAnalysisSettings.objects.create(experiment=planned, barcodeKitName="IonXpress", reference="ecoli",
                                              selectedPlugins=PLUGINS, isEditable=True)
    run = complete_run(entries={"Planned Run Short ID": "ABCDE", "Library": "hg19"})
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.pk == planned.pk and exp.unique == str(run.path) and exp.status == "run"
    eas = exp.eas_set.get()
    assert (eas.barcodeKitName, eas.reference, eas.selectedPlugins) == ("", "hg19", PLUGINS)  # explog wins


def test_plan_used_by_a_previous_run_is_copied(complete_run):
    plan = _plan()
    complete_run("R_2012_04_30_15_22_02_user_A", entries={"Planned Run Short ID": "ABCDE"})
    crawl_once()
    complete_run("R_2012_05_01_15_22_02_user_B", entries={"Planned Run Short ID": "ABCDE"})
    crawl_once()
    first, second = Experiment.objects.order_by("pk")
    assert first.plan == plan
    assert second.plan != plan and second.plan.planName == "my plan" and second.plan.planExecuted
    assert second.eas_set.get().selectedPlugins == PLUGINS
