"""GET /rundb/api/v1/plugin/lineage/ (one entry per plugin name, the original's shape) and
GET /rundb/api/v1/plugin/<pk>/lineage/ (every version of one plugin, the highest first)."""
import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from plugin.services.install import uninstall
from plugin.services.launch import launch_plugin
from rundb.models import Plugin

pytestmark = pytest.mark.django_db
URL = "/rundb/api/v1/plugin/lineage/"
ENTRY_KEYS = {"name", "id", "CurrentVersion", "date", "isSupported", "availableVersions", "isUpgradable",
              "isConfig", "isPlanConfig", "isInstance", "hasAbout", "selected", "defaultSelected"}


@pytest.fixture
def plugins(zips, admin_user):
    install(zips("beta", version="1.0"))
    install(zips("Alpha", version="1.9", files={"about.html": "<p/>"}))
    launch_plugin(create_report(), Plugin.objects.get(name="Alpha"), user=admin_user)  # a run of 1.9
    alpha = install(zips("Alpha", version="1.10", files={"config.html": "<p/>"}))
    gone = install(zips("Gone", version="0.1"))
    uninstall(gone)
    Plugin.objects.filter(name="beta").update(selected=False)
    return alpha


def test_one_entry_per_installed_name(client, user_auth, plugins):
    resp = client.get(URL, **user_auth)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["meta"]["total_count"] == 2 and body["meta"]["limit"] == 1000
    names = [o["name"] for o in body["objects"]]
    assert names == ["Alpha", "beta"]  # case-insensitive order; Gone has no installed version
    alpha = body["objects"][0]
    assert set(alpha) == ENTRY_KEYS
    assert alpha["id"] == plugins.pk and alpha["CurrentVersion"] == "1.10"
    assert alpha["availableVersions"] == ["1.9", "1.10"]  # version order, not text order
    assert (alpha["isConfig"], alpha["hasAbout"], alpha["isUpgradable"]) == (True, False, False)
    assert alpha["selected"] is True and body["objects"][1]["selected"] is False


def test_selected_filter(client, user_auth, plugins):
    only = client.get(URL + "?selected=true", **user_auth).json()["objects"]
    assert [o["name"] for o in only] == ["Alpha"]
    off = client.get(URL + "?selected=false", **user_auth).json()["objects"]
    assert [o["name"] for o in off] == ["beta"]
    bad = client.get(URL + "?selected=yes-please", **user_auth)
    assert bad.status_code == 400 and "selected" in bad.json()["error"]


def test_history_of_one_plugin(client, user_auth, plugins):
    old = Plugin.objects.get(name="Alpha", version="1.9")
    for pk in (old.pk, plugins.pk):  # any version's id gives the same history
        resp = client.get(f"/rundb/api/v1/plugin/{pk}/lineage/", **user_auth)
        assert resp.status_code == 200, resp.content
        body = resp.json()
        assert body["name"] == "Alpha" and body["CurrentVersion"] == "1.10"
        versions = body["versions"]
        assert [(v["version"], v["active"], v["current"]) for v in versions] == [("1.10", True, True),
                                                                                  ("1.9", False, False)]
        assert versions[1]["archived"] is True and versions[0]["archived"] is False
        assert [v["runs"] for v in versions] == [0, 1]
        assert versions[1]["resource_uri"] == f"/rundb/api/v1/plugin/{old.pk}/"
    gone = client.get(f"/rundb/api/v1/plugin/{Plugin.objects.get(name='Gone').pk}/lineage/", **user_auth).json()
    assert gone["CurrentVersion"] == "None" and gone["versions"][0]["active"] is False


def test_errors(client, user_auth, plugins):
    assert client.get(URL).status_code == 401
    assert client.get("/rundb/api/v1/plugin/99999/lineage/", **user_auth).status_code == 404
    assert client.post(URL, **user_auth).status_code == 405
    assert client.delete(f"/rundb/api/v1/plugin/{plugins.pk}/lineage/", **user_auth).status_code == 405


def test_packaged_name_without_an_installed_version_is_listed(client, user_auth, plugins):
    Plugin.objects.filter(name="Gone").update(packageName="ion-plugin-gone", isSupported=True)
    objects = client.get(URL, **user_auth).json()["objects"]
    gone = next(o for o in objects if o["name"] == "Gone")
    assert gone["CurrentVersion"] == "None" and gone["isSupported"] is True
    assert gone["availableVersions"] == ["0.1"]
