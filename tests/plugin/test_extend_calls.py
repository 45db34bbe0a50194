"""/rundb/api/v1/plugin/<Name|pk>/extend/<function>/ runs extend.py in a child process."""
import json

import pytest

from launch_support import admin_auth, admin_user, fast_hasher, install, zips  # noqa: F401
from rundb.models import Plugin

pytestmark = pytest.mark.django_db

EXTEND = '''
import os, time
HELPER = "module state"

def test(bucket):
    print("noise on stdout")
    return bucket

def text(bucket):
    return "plain string"

def boom(bucket):
    raise ValueError("kaboom")

def slow(bucket):
    time.sleep(30)

def where(bucket):
    return {"cwd": os.getcwd(), "secret": os.environ.get("SECRET_KEY")}
'''


@pytest.fixture
def plugin(zips):
    p = install(zips("Ext", files={"extend.py": EXTEND}))
    Plugin.objects.filter(pk=p.pk).update(config={"g": 1})
    p.refresh_from_db()
    return p


def test_get_echoes_bucket(client, admin_auth, plugin):
    resp = client.get("/rundb/api/v1/plugin/Ext/extend/test/?x=1&y=2", **admin_auth)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {
        "request_get": {"x": "1", "y": "2"}, "user": "ionadmin", "request_method": "GET",
        "name": "Ext", "version": "1.0.0.0", "config": {"g": 1},
    }


def test_post_adds_request_post_and_pk_works(client, admin_auth, plugin):
    resp = client.post(f"/rundb/api/v1/plugin/{plugin.pk}/extend/test/", json.dumps({"a": [1, 2]}),
                       content_type="application/json", **admin_auth)
    assert resp.status_code == 200
    assert resp.json()["request_post"] == {"a": [1, 2]} and resp.json()["request_method"] == "POST"


def test_string_result_and_child_environment(client, admin_auth, plugin, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "server-secret")
    assert client.get("/rundb/api/v1/plugin/Ext/extend/text/", **admin_auth).json() == "plain string"
    info = client.get("/rundb/api/v1/plugin/Ext/extend/where/", **admin_auth).json()
    assert info == {"cwd": plugin.path, "secret": None}


def test_errors(client, admin_auth, plugin, zips, settings):
    r = client.get("/rundb/api/v1/plugin/Ext/extend/nothing/", **admin_auth)
    assert r.status_code == 404 and "nothing" in r.json()["error"]
    assert client.get("/rundb/api/v1/plugin/Ext/extend/_private/", **admin_auth).status_code == 404
    assert client.get("/rundb/api/v1/plugin/Ext/extend/HELPER/", **admin_auth).status_code == 404
    assert client.get("/rundb/api/v1/plugin/Nope/extend/test/", **admin_auth).status_code == 404
    install(zips("Plain"))
    r = client.get("/rundb/api/v1/plugin/Plain/extend/test/", **admin_auth)
    assert r.status_code == 404 and "no extend.py" in r.json()["error"]
    r = client.get("/rundb/api/v1/plugin/Ext/extend/boom/", **admin_auth)
    assert r.status_code == 500 and "ValueError: kaboom" in r.json()["error"]
    r = client.post("/rundb/api/v1/plugin/Ext/extend/test/", "{bad", content_type="application/json", **admin_auth)
    assert r.status_code == 400
    settings.ION_PLUGIN_EXTEND_TIMEOUT = 1
    r = client.get("/rundb/api/v1/plugin/Ext/extend/slow/", **admin_auth)
    assert r.status_code == 504 and "within 1 s" in r.json()["error"]


def test_requires_authentication(client, plugin):
    r = client.get("/rundb/api/v1/plugin/Ext/extend/test/")
    assert r.status_code == 401 and r.json() == {"error": "Authentication required."}  # rundb.api.endpoint
    assert r["WWW-Authenticate"] == 'Basic realm="Torrent Suite"'


def test_identity_comes_only_from_authentication(client, admin_auth, plugin, fast_hasher):
    from django.contrib.auth import get_user_model

    from launch_support import basic_auth

    resp = client.get("/rundb/api/v1/plugin/Ext/extend/test/?ir_user=someoneelse", **admin_auth)
    assert resp.status_code == 200 and resp.json()["user"] == "ionadmin"  # ir_user changes nothing
    get_user_model().objects.create_user("nobody", password="pw")  # no rundb.change_plugin
    resp = client.get("/rundb/api/v1/plugin/Ext/extend/test/", **basic_auth("nobody", "pw"))
    assert resp.status_code == 403 and "rundb.change_plugin" in resp.json()["error"]
