"""POST /rundb/api/v1/plugin/show/ {"<name>": true|false} (the original's per-session show/hide
of plugins in the report's plugin list) and POST plugin/<pk>/show/ {"show": ...} for one plugin:
the `show` flag of results/<pk>/pluginresults/ follows, for that session only."""
import json

import pytest
from django.test import Client

from launch_support import admin_user, basic_auth, create_report, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from plugin.services.launch import launch_plugin

pytestmark = pytest.mark.django_db
URL = "/rundb/api/v1/plugin/show/"


@pytest.fixture
def report_with_runs(admin_user, zips):
    report = create_report()
    plugins = {name: install(zips(name)) for name in ("Aaa", "Bbb")}
    for plugin in plugins.values():
        launch_plugin(report, plugin, user=admin_user)
    return report, plugins


def _shown(client, report, auth):
    resp = client.get(f"/rundb/api/v1/results/{report.pk}/pluginresults/", **auth)
    assert resp.status_code == 200
    return {e["Name"]: e["show"] for e in resp.json()}


def _post(client, url, body, auth):
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


def test_hide_and_show_again_in_this_session(client, user_auth, report_with_runs, plain_user):
    report, _ = report_with_runs
    assert _shown(client, report, user_auth) == {"Aaa": True, "Bbb": True}
    resp = _post(client, URL, {"Aaa": False}, user_auth)
    assert resp.status_code == 204 and resp.content == b""
    assert _shown(client, report, user_auth) == {"Aaa": False, "Bbb": True}
    other = Client()  # another session of the same user: its own choices
    assert _shown(other, report, basic_auth("ionuser", "ionuser")) == {"Aaa": True, "Bbb": True}
    assert _post(client, URL, {"Aaa": True, "Bbb": False}, user_auth).status_code == 204
    assert _shown(client, report, user_auth) == {"Aaa": True, "Bbb": False}


def test_one_plugin_by_id(client, user_auth, report_with_runs):
    report, plugins = report_with_runs
    url = f"/rundb/api/v1/plugin/{plugins['Bbb'].pk}/show/"
    assert _post(client, url, {"show": False}, user_auth).status_code == 204
    assert _shown(client, report, user_auth) == {"Aaa": True, "Bbb": False}
    assert _post(client, url, {"show": True}, user_auth).status_code == 204
    assert _shown(client, report, user_auth) == {"Aaa": True, "Bbb": True}
    assert _post(client, "/rundb/api/v1/plugin/99999/show/", {"show": False}, user_auth).status_code == 404
    for body in ({"show": 1}, {}, {"show": False, "extra": 1}):
        assert _post(client, url, body, user_auth).status_code == 400, body


def test_bad_input_and_methods(client, user_auth, report_with_runs):
    report, _ = report_with_runs
    for body in ({}, {"Aaa": "no"}, {"Aaa": None}, {"": False}, {"x" * 600: False}):
        resp = _post(client, URL, body, user_auth)
        assert resp.status_code == 400 and "error" in resp.json(), body
    assert client.post(URL, "[]", content_type="application/json", **user_auth).status_code == 400
    assert client.get(URL, **user_auth).status_code == 405
    assert _post(client, URL, {"Aaa": False}, {}).status_code == 401
    assert _shown(client, report, user_auth) == {"Aaa": True, "Bbb": True}  # nothing was stored
