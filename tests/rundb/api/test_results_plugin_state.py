"""results: pluginState/pluginStore in details, in lists only with ?plugin=true; computed paths."""
import pytest

from . import factories


@pytest.fixture
def report(db, admin):
    user = admin[0]
    exp = factories.experiment("S5-540_RNA", log={"planned_run_short_id": "1BFQJ"})
    res = factories.result(exp, "Auto_S5-540_RNA_91", reportLink="/output/Home/Auto_S5-540_RNA_91_003/")
    cov = factories.plugin("coverageAnalysis")
    ercc = factories.plugin("ERCC_Analysis")
    factories.plugin_result(res, cov, user, state="Error", store={"old": True})
    factories.plugin_result(res, cov, user, state="Completed", store={"reads": 5})  # newest wins
    factories.plugin_result(res, ercc, user, state="Started")
    return res


def test_detail_has_plugin_state_and_store(api, report):
    body = api.get(f"results/{report.pk}/").json()
    assert body["pluginState"] == {"coverageAnalysis": "Completed", "ERCC_Analysis": "Started"}
    assert body["pluginStore"]["coverageAnalysis"] == {"reads": 5}


def test_noplugin_removes_them_from_the_detail(api, report):
    body = api.get(f"results/{report.pk}/", {"noplugin": "1"}).json()
    assert "pluginState" not in body and "pluginStore" not in body


def test_list_has_them_only_with_plugin_true(api, report):
    row = api.get("results/").json()["objects"][0]
    assert "pluginState" not in row
    row = api.get("results/", {"plugin": "true"}).json()["objects"][0]
    assert row["pluginState"]["coverageAnalysis"] == "Completed"
    row = api.get("results/", {"plugin": "true", "noplugin": "1"}).json()["objects"][0]
    assert row["pluginState"] == {} and row["pluginStore"] == {}


def test_validation_failure_state(api, report, admin):
    pr = report.pluginresults.first()
    pr.validation_errors = {"validation_errors": ["bad config"]}
    pr.save()
    pr.plugin_result_jobs.all().delete()
    later = factories.plugin("Later")
    from rundb import models as m

    m.PluginResult.objects.create(result=report, plugin=later, owner=admin[0])
    body = api.get(f"results/{report.pk}/").json()
    assert body["pluginState"]["Later"] == "Unknown"


def test_computed_paths(api, report):
    body = api.get(f"results/{report.pk}/").json()
    assert body["filesystempath"] == f"/results/analysis/output/Auto_S5-540_RNA_91_{report.pk:03d}"
    assert body["bamLink"] == "/output/Home/Auto_S5-540_RNA_91_003/download_links/S5-540_RNA_Auto_S5-540_RNA_91.bam"
    assert body["planShortID"] == "1BFQJ"
    assert len(body["libmetrics"]) == 1 and body["libmetrics"][0].startswith("/rundb/api/v1/libmetrics/")
    assert len(body["pluginresults"]) == 3


def test_plan_short_id_falls_back_to_the_plan(api, db):
    from rundb import models as m

    plan = m.PlannedExperiment.objects.create(planName="p", planShortID="ZZ9ZZ")
    res = factories.result(factories.experiment(plan=plan, log={}), metrics=False)
    assert api.get(f"results/{res.pk}/").json()["planShortID"] == "ZZ9ZZ"


def test_is_thumbnail_filter(api, db):
    full = factories.result(metrics=False)
    thumb = factories.result(metrics=False, metaData={"thumb": 1})
    ids = lambda **p: [o["id"] for o in api.get("results/", p).json()["objects"]]  # noqa: E731
    assert ids(isThumbnail="yes") == [thumb.pk]
    assert ids(isThumbnail="no") == [full.pk]
