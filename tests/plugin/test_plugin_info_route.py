"""GET /rundb/api/v1/plugin/<pk>/info/: the original's info object from the stored row (no
plugin code runs); ?use_cache=false inspects the folder again, for administrators only, and
stores nothing."""
from pathlib import Path

import pytest

from launch_support import admin_auth, admin_user, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401
from rundb.models import Plugin

pytestmark = pytest.mark.django_db

ATTRS = '''
runtypes = [RunType.FULLCHIP, RunType.COMPOSITE]
runlevels = [RunLevel.DEFAULT, RunLevel.LAST]
features = [Feature.EXPORT]
depends = ["Other"]
major_block = True
requires_configuration = True

def getUserInput(self):
    return {"columns": [{"Name": "a", "Type": "text"}]}
'''
KEYS = {"_meta", "name", "version", "config", "runtypes", "runlevels", "features", "depends", "docs",
        "major_block", "pluginorm", "requires_configuration", "isConfig", "isPlanConfig", "isInstance",
        "hasAbout", "active", "script"}


def _url(pk, query=""):
    return f"/rundb/api/v1/plugin/{pk}/info/{query}"


@pytest.fixture
def foo(zips):
    return install(zips("Foo", version="3.1.0", attrs=ATTRS,
                        files={"config.html": "<html></html>", "plan.html": "<html></html>"}))


def test_info_from_the_stored_row(client, user_auth, foo):
    # Break the plugin's code on disk: the stored answer must not depend on running it.
    (Path(foo.path) / "Foo.py").write_text("raise SystemExit('must not run')\n")
    resp = client.get(_url(foo.pk), **user_auth)
    assert resp.status_code == 200, resp.content
    info = resp.json()
    assert set(info) == KEYS
    assert info["_meta"] == "IonPlugin Definition format 1.0"
    assert (info["name"], info["version"], info["pluginorm"]) == ("Foo", "3.1.0", foo.pk)
    assert info["runtypes"] == ["wholechip", "composite"] and info["runlevels"] == ["default", "last"]
    assert info["features"] == ["export"] and info["depends"] == ["Other"]
    assert info["major_block"] is True and info["requires_configuration"] is True
    assert info["config"] == {"columns": [{"Name": "a", "Type": "text"}]}
    assert info["docs"] == "A tiny test plugin."
    assert (info["isConfig"], info["isPlanConfig"], info["isInstance"], info["hasAbout"]) == (True, True, False, False)
    assert info["active"] is True and info["script"] == "Foo.py"


def test_use_cache_false_inspects_again_without_storing(client, admin_auth, user_auth, foo):
    source = Path(foo.path) / "Foo.py"
    source.write_text(source.read_text().replace("'A tiny test plugin.'", "'Docs changed on disk.'")
                      .replace("depends = [\"Other\"]", "depends = [\"Other\", \"Third\"]"))
    (Path(foo.path) / "instance.html").write_text("<html></html>")
    before = Plugin.objects.filter(pk=foo.pk).values().get()
    fresh = client.get(_url(foo.pk, "?use_cache=false"), **admin_auth)
    assert fresh.status_code == 200, fresh.content
    body = fresh.json()
    assert body["docs"] == "Docs changed on disk." and body["depends"] == ["Other", "Third"]
    assert body["isInstance"] is True and body["pluginorm"] == foo.pk
    assert Plugin.objects.filter(pk=foo.pk).values().get() == before  # a GET stores nothing
    assert client.get(_url(foo.pk), **admin_auth).json()["docs"] == "A tiny test plugin."
    # Inspecting runs plugin code: not for a lab user.
    assert client.get(_url(foo.pk, "?use_cache=false"), **user_auth).status_code == 403


def test_broken_or_missing_plugin_on_reinspection(client, admin_auth, foo):
    (Path(foo.path) / "Foo.py").write_text("raise SystemExit(3)\n")
    resp = client.get(_url(foo.pk, "?use_cache=false"), **admin_auth)
    assert resp.status_code == 422 and "exit status 3" in resp.json()["error"]
    client.delete(f"/rundb/api/v1/plugin/{foo.pk}/uninstall/", **admin_auth)
    assert client.get(_url(foo.pk, "?use_cache=false"), **admin_auth).status_code == 410
    stored = client.get(_url(foo.pk), **admin_auth)  # the row is history: still described
    assert stored.status_code == 200 and stored.json()["active"] is False


def test_errors(client, user_auth, foo):
    assert client.get(_url(foo.pk)).status_code == 401
    missing = client.get(_url(99999), **user_auth)
    assert missing.status_code == 404 and "error" in missing.json()
    bad = client.get(_url(foo.pk, "?use_cache=maybe"), **user_auth)
    assert bad.status_code == 400 and "use_cache" in bad.json()["error"]
    assert client.post(_url(foo.pk), **user_auth).status_code == 405
    assert client.get("/rundb/api/v1/plugin/abc/info/", **user_auth).status_code == 404
