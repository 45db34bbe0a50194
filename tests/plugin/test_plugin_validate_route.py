"""POST /rundb/api/v1/plugin/<pk>/validate/ (configuration, run_mode as JSON or form fields):
{"issues": [...]} from the plugin's own validate() in a child process; nothing is stored."""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from launch_support import admin_auth, admin_user, basic_auth, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from rundb.models import Plugin, PluginResult

pytestmark = pytest.mark.django_db

CUSTOM = '''
requires_configuration = True

def custom_validation(self, configuration, run_mode):
    marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validated." + run_mode)
    open(marker, "w").close()
    if run_mode == "manual" and not configuration.get("upload_path"):
        return ["bad path"]
    return []
'''


def _url(pk):
    return f"/rundb/api/v1/plugin/{pk}/validate/"


def _post(client, pk, body, auth):
    return client.post(_url(pk), json.dumps(body), content_type="application/json", **auth)


@pytest.fixture
def val(zips):
    return install(zips("Val", attrs=CUSTOM))


def test_the_plugins_own_validation_runs(client, user_auth, val):
    resp = _post(client, val.pk, {"configuration": {"x": 1}, "run_mode": "manual"}, user_auth)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"issues": ["bad path"]}
    assert (Path(val.path) / "validated.manual").exists()  # its custom_validation really ran
    ok = _post(client, val.pk, {"configuration": {"upload_path": "/tmp"}, "run_mode": "manual"}, user_auth)
    assert ok.json() == {"issues": []}
    # requires_configuration: an empty configuration is refused before the custom check's own message.
    empty = _post(client, val.pk, {"run_mode": "pipeline"}, user_auth).json()
    assert empty == {"issues": ["Val requires configuration before execution."]}
    assert (Path(val.path) / "validated.pipeline").exists()
    assert not PluginResult.objects.exists()


def test_form_fields_as_the_original_ui_sends_them(client, user_auth, val):
    resp = client.post(_url(val.pk), {"configuration": json.dumps({"upload_path": "/x"}), "run_mode": "manual"},
                       **user_auth)
    assert resp.status_code == 200 and resp.json() == {"issues": []}
    resp = client.post(_url(val.pk), {"configuration": "not json"}, **user_auth)
    assert resp.status_code == 400 and "configuration" in resp.json()["error"]


def test_bad_input(client, user_auth, val):
    for body, word in (({"configuration": [1, 2]}, "configuration"), ({"configuration": "[1]"}, "configuration"),
                       ({"run_mode": "sometimes"}, "run_mode")):
        resp = _post(client, val.pk, body, user_auth)
        assert resp.status_code == 400 and word in resp.json()["error"], body
    assert client.post(_url(val.pk), "{nope", content_type="application/json", **user_auth).status_code == 400


def test_a_launch_sh_plugin_has_no_class_to_validate(client, user_auth, zips):
    legacy = install(zips("Legacy", py=False, files={"launch.sh": '#!/bin/bash\nVERSION="1.0"\necho hi\n'}))
    resp = _post(client, legacy.pk, {}, user_auth)
    assert resp.status_code == 400 and resp.json()["error"] == "Cannot validate a plugin without a plugin class."


def test_unknown_uninstalled_and_permissions(client, admin_auth, user_auth, val):
    assert _post(client, 99999, {}, user_auth).status_code == 404
    assert _post(client, val.pk, {}, {}).status_code == 401
    assert client.get(_url(val.pk), **user_auth).status_code == 405
    get_user_model().objects.create_user("outsider", password="pw")  # no group: no add_pluginresult
    assert _post(client, val.pk, {}, basic_auth("outsider", "pw")).status_code == 403
    client.delete(f"/rundb/api/v1/plugin/{val.pk}/uninstall/", **admin_auth)
    assert not Plugin.objects.get(pk=val.pk).active
    assert _post(client, val.pk, {}, user_auth).status_code == 410
