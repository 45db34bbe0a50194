"""Custom routes of results/<pk>/ and experiment/<pk>/: pluginstore, metadata, representative,
barcode summary, orphaned plugin folders."""
import json

import pytest

from rundb import models as m

from . import factories
from .conftest import ApiClient


@pytest.fixture
def report(db, settings):
    result = factories.result(factories.experiment())
    # Report folders under this test's own results root, never the machine's /results.
    m.ReportStorage.objects.filter(pk=result.reportstorage_id).update(dirPath=str(settings.ION_REPORT_ROOT))
    result.refresh_from_db()
    return result


@pytest.fixture
def reader(db):
    user, key = factories.user()  # authenticated, no model permissions
    return ApiClient(user.username, key)


def test_pluginstore_read_and_replace(api, admin, report):
    plug = factories.plugin("coverageAnalysis")
    factories.plugin_result(report, plug, admin[0], store={"old": 1})
    assert api.get(f"results/{report.pk}/pluginstore/").json() == {"coverageAnalysis": {"old": 1}}
    factories.plugin("variantCaller")
    reply = api.put(f"results/{report.pk}/pluginstore/", {"coverageAnalysis": {"new": 2}, "variantCaller": {"v": 1}})
    assert reply.status_code == 202, reply.content
    assert api.get(f"results/{report.pk}/pluginstore/").json() == {"coverageAnalysis": {"new": 2},
                                                                   "variantCaller": {"v": 1}}


def test_pluginstore_is_all_or_nothing(api, admin, report, reader):
    plug = factories.plugin("coverageAnalysis")
    factories.plugin_result(report, plug, admin[0], store={"old": 1})
    reply = api.put(f"results/{report.pk}/pluginstore/", {"coverageAnalysis": {"x": 1}, "nosuch": {}})
    assert reply.status_code == 400 and "nosuch" in reply.json()["error"]
    assert m.PluginResult.objects.get().store == {"old": 1}
    assert api.put(f"results/{report.pk}/pluginstore/", raw="[1]").status_code == 400
    assert api.put(f"results/{report.pk}/pluginstore/", {"coverageAnalysis": "text"}).status_code == 400
    assert api.get("results/999999/pluginstore/").status_code == 404
    assert reader.get(f"results/{report.pk}/pluginstore/").status_code == 200
    assert reader.put(f"results/{report.pk}/pluginstore/", {"coverageAnalysis": {}}).status_code == 403


@pytest.mark.parametrize("kind", ["results", "experiment"])
def test_metadata_merge_and_remove(api, report, reader, kind):
    pk = report.pk if kind == "results" else report.experiment_id
    url = f"{kind}/{pk}/metadata/"
    assert api.post(url, {"metadata": {"a": 1, "b": 2}}).status_code == 202
    assert api.post(url, {"metadata": {"c": 3}, "remove": ["a", "zz"]}).status_code == 202
    body = api.get(url).json()
    assert body.get("b") == 2 and body.get("c") == 3 and "a" not in body
    assert api.post(url, {"metadata": [1]}).status_code == 400
    assert api.post(url, {"remove": "a"}).status_code == 400
    assert api.post(url, raw="{").status_code == 400
    assert reader.post(url, {"metadata": {"x": 1}}).status_code == 403
    assert api.delete(url).status_code == 405


def test_representative(api, report, reader):
    other = factories.result(report.experiment, name="second")
    assert api.post(f"results/{other.pk}/representative/", {"representative": True}).status_code == 202
    exp = m.Experiment.objects.get(pk=report.experiment_id)
    assert exp.repResult_id == other.pk and exp.pinnedRepResult
    assert m.Results.objects.get(pk=other.pk).representative
    assert api.post(f"results/{other.pk}/representative/", {"representative": False}).status_code == 202
    assert not m.Experiment.objects.get(pk=exp.pk).pinnedRepResult
    assert api.post(f"results/{other.pk}/representative/", {"representative": "yes"}).status_code == 400
    assert reader.post(f"results/{other.pk}/representative/", {"representative": True}).status_code == 403
    assert ApiClient().post(f"results/{other.pk}/representative/", {"representative": True}).status_code == 401


def test_barcode_summary(api, report):
    assert api.get(f"results/{report.pk}/barcode/").status_code == 400
    folder = report.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alignment_barcode_summary.csv").write_text("ID,Filtered_Mapped_Bases_in_Q7_Alignments\n"
                                                          "IonXpress_001,1000\nIonXpress_002,2000\n")
    rows = api.get(f"results/{report.pk}/barcode/").json()
    assert rows[1] == {"ID": "IonXpress_002", "Filtered_Mapped_Bases_in_Q7_Alignments": "2000"}
    by_metric = api.get(f"results/{report.pk}/barcode/", {"metric": "Filtered_Mapped_Bases_in_Q7_Alignments"})
    assert by_metric.json() == {"IonXpress_001": "1000", "IonXpress_002": "2000"}
    assert api.get(f"results/{report.pk}/barcode/", {"metric": "nope"}).status_code == 400


def test_scan_for_orphaned_plugin_results(api, admin, report):
    plug = factories.plugin("coverageAnalysis")
    out = report.report_dir / "plugin_out"
    orphan = out / "coverageAnalysis_out.4242"
    orphan.mkdir(parents=True)
    (orphan / "startplugin.json").write_text(json.dumps({"runinfo": {"plugin_name": "coverageAnalysis"}}))
    (out / "coverageAnalysis_out.777").mkdir()  # no startplugin.json: left alone
    reply = api.get(f"results/{report.pk}/scan_for_orphaned_plugin_results/")
    assert reply.status_code == 204
    run = m.PluginResult.objects.get(result=report, plugin=plug)
    assert (out / f"coverageAnalysis_out.{run.pk}").is_dir() and not orphan.exists()
    assert run.plugin_result_jobs.get().state == "Unknown"
    assert api.get(f"results/{report.pk}/scan_for_orphaned_plugin_results/").status_code == 204
    assert m.PluginResult.objects.filter(result=report).count() == 1


def _walk(patterns, prefix=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _walk(p.url_patterns, prefix + p.pattern.regex.pattern)
        else:
            yield prefix + p.pattern.regex.pattern, p.callback


def test_custom_routes_carry_their_permission():
    from rundb.api.api import mesh_api, v1_api

    suffixes = ("pluginstore", "metadata", "representative", "barcode/", "scan_for_orphaned", "getargs",
                "system_id", "exchange_keys", "validate", "clear")
    found = {regex: view for regex, view in _walk(v1_api.urls + mesh_api.urls) if any(s in regex for s in suffixes)}
    assert len(found) >= 11
    missing = [regex for regex, view in found.items() if not getattr(view, "ion_permission", None)]
    assert not missing


def test_pluginresult_set(api, admin, report):
    plug = factories.plugin("coverageAnalysis")
    mine = factories.plugin_result(report, plug, admin[0])
    factories.plugin_result(factories.result(factories.experiment()), plug, admin[0])
    body = api.get(f"results/{report.pk}/pluginresult_set/").json()
    assert [o["id"] for o in body["objects"]] == [mine.pk] and body["meta"]["total_count"] == 1
    assert api.get("results/999999/pluginresult_set/").status_code == 410
    assert api.get(f"results/{report.pk}/pluginresult_set/", {"id": "x"}).status_code == 400
