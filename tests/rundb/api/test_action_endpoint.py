"""rundb.api.endpoint.endpoint: the one guard of every action endpoint (401/403/405/413/400 as
JSON, identity only from authentication, ion_permission for the route walker)."""
import json

import pytest
from django.test import Client

from pipeline import views as pipeline_views
from plugin import views as plugin_views
from rundb.api.endpoint import endpoint

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(db):
    base = factories.report_with_queued_plugin()
    _lab, lab_key = factories.user("lab", groups=["ionusers"])
    _plain, plain_key = factories.user("plain")
    pr = base["pr"]
    return {
        "result": base["result"], "pr": pr,
        "admin": Client(HTTP_AUTHORIZATION=f"ApiKey ionadmin:{base['key']}"),
        "lab": Client(HTTP_AUTHORIZATION=f"ApiKey lab:{lab_key}"),
        "plain": Client(HTTP_AUTHORIZATION=f"ApiKey plain:{plain_key}"),
        "pluginkey": Client(HTTP_AUTHORIZATION=f"pluginkey {pr.pk}:{pr.plain_apikey}"),
    }


def test_every_view_is_guarded():
    views = [plugin_views.plugin_install, plugin_views.plugin_uninstall, plugin_views.plugin_rescan,
             plugin_views.plugin_media, plugin_views.results_plugin, plugin_views.results_pluginresults,
             plugin_views.results_barcodesampleinfo, plugin_views.pluginresult_stop, plugin_views.plugin_extend,
             pipeline_views.results_reanalyze, pipeline_views.experiment_reanalyze]
    assert {v.__name__: v.ion_permission for v in views} == {
        "plugin_install": "rundb.install_plugin", "plugin_uninstall": "rundb.install_plugin",
        "plugin_rescan": "rundb.install_plugin", "plugin_media": "authenticated",
        "results_plugin": "rundb.add_pluginresult", "results_pluginresults": "authenticated",
        "results_barcodesampleinfo": "authenticated", "pluginresult_stop": "authenticated",
        "plugin_extend": "rundb.change_plugin", "results_reanalyze": "rundb.add_results",
        "experiment_reanalyze": "rundb.add_results",
    }
    with pytest.raises(ValueError):
        endpoint("superuser")


def test_errors_are_json(s, settings):
    url = f"/rundb/api/v1/results/{s['result'].pk}/plugin/"
    resp = Client().post(url, "{}", content_type="application/json")
    assert resp.status_code == 401 and resp.json()["error"] and resp["WWW-Authenticate"].startswith("Basic")
    resp = s["admin"].get(url)
    assert resp.status_code == 405 and resp["Allow"] == "POST" and "POST" in resp.json()["error"]
    resp = s["plain"].post(url, "{}", content_type="application/json")
    assert resp.status_code == 403 and "rundb.add_pluginresult" in resp.json()["error"]
    resp = s["admin"].post(url, "{not json", content_type="application/json")
    assert resp.status_code == 400 and "not valid JSON" in resp.json()["error"]
    resp = s["admin"].post(url, "[1, 2]", content_type="application/json")
    assert resp.status_code == 400 and "JSON object" in resp.json()["error"]
    resp = s["admin"].post(url, json.dumps({"plugin": "x" * (2 * 1024 * 1024)}), content_type="application/json")
    assert resp.status_code == 413 and "larger" in resp.json()["error"]


def test_plugin_key_refused_where_it_must_be(s):
    client = s["pluginkey"]
    assert client.post("/rundb/api/v1/plugin/rescan/").status_code == 403
    resp = client.post(f"/rundb/api/v1/results/{s['result'].pk}/reanalyze/", "{}", content_type="application/json")
    assert resp.status_code == 403 and "plugin key" in resp.json()["error"]
    assert client.post(f"/rundb/api/v1/pluginresult/{s['pr'].pk}/stop/").status_code == 202  # its own run


def test_lab_user_launches_but_does_not_administer(s):
    assert s["lab"].post("/rundb/api/v1/plugin/rescan/").status_code == 403
    assert s["admin"].post("/rundb/api/v1/plugin/rescan/").status_code == 200
    resp = s["lab"].get(f"/rundb/api/v1/results/{s['result'].pk}/pluginresults/")
    assert resp.status_code == 200
