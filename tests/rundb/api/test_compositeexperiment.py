"""compositeexperiment: completed runs with nested reports and metrics, newest first."""
import datetime

import pytest
from django.utils import timezone

from rundb import models as m

from . import factories


@pytest.fixture
def runs(db, catalog, admin):
    now = timezone.now()
    old = factories.experiment("S5-530_cfDNA", displayName="S5-530 cfDNA", chipType="530",
                               resultDate=now - datetime.timedelta(days=2))
    new = factories.experiment("S5-540_RNA", displayName="S5-540 RNA", chipType="540", resultDate=now)
    factories.experiment("planned_shell", status="planned", expDir="")
    first = factories.result(old, "Auto_S5-530_cfDNA_89", timeStamp=now - datetime.timedelta(days=2))
    factories.result(old, "Reanalyze", status="Error", timeStamp=now - datetime.timedelta(days=1))
    rep = factories.result(new, "Auto_S5-540_RNA_91", representative=True)
    new.repResult = rep
    new.save()
    m.ExperimentAnalysisSettings.objects.create(experiment=new, barcodeKitName="IonXpress", reference="hg19")
    first.projects.add(m.Project.objects.create(name="demo", creator=admin[0]))
    return old, new


def test_lists_runs_newest_first_without_planned_shells(api, runs):
    objects = api.get("compositeexperiment/").json()["objects"]
    assert [o["displayName"] for o in objects] == ["S5-540 RNA", "S5-530 cfDNA"]


def test_nested_results_and_metrics(api, runs):
    objects = api.get("compositeexperiment/").json()["objects"]
    new, old = objects
    assert [r["resultsName"] for r in old["results"]] == ["Reanalyze", "Auto_S5-530_cfDNA_89"]
    assert old["results"][0]["status_display"] == "Error"
    report = old["results"][1]
    assert report["libmetrics"]["aveKeyCounts"] == 88.0
    assert report["qualitymetrics"]["q0_bases"] == "14055892515"
    assert report["analysismetrics"]["total_wells"] == 164699136
    assert report["analysis_metrics"] == report["analysismetrics"]
    assert report["projects"][0]["name"] == "demo" and report["projects"][0]["resource_uri"] == ""
    assert report["resource_uri"].startswith("/rundb/api/v1/compositeresult/")
    assert new["repResult"] == new["results"][0]["resource_uri"]
    assert (new["barcodeId"], new["library"], new["chipDescription"], new["chipInstrumentType"]) == (
        "IonXpress", "hg19", "Ion 540 Chip", "S5")


def test_result_status_and_all_text_filters(api, runs):
    names = lambda **p: [o["expName"] for o in api.get("compositeexperiment/", p).json()["objects"]]  # noqa
    assert names(result_status="Error") == ["S5-530_cfDNA"]
    assert names(all_text="reanalyze OR nothing") == ["S5-530_cfDNA"]
    assert names(all_text="RNA") == ["S5-540_RNA"]
