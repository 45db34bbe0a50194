"""Uninstalling a plugin (either route) deactivates it; its runs stay readable through the API."""
import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from rundb.models import Plugin, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db
API = "/rundb/api/v1/"


def _run(plugin, result, owner):
    pr = PluginResult.objects.create(plugin=plugin, result=result, owner=owner, store={"answer": 42})
    PluginResultJob.objects.create(plugin_result=pr, state="Completed", run_level="default")
    return pr


@pytest.mark.parametrize("route", ["plugin/{pk}/", "plugin/{pk}/uninstall/"])
def test_uninstall_keeps_the_plugins_runs(client, admin_user, admin_auth, zips, route):
    plugin = install(zips("Foo"))
    report = create_report()
    pr = _run(plugin, report, admin_user)
    resp = client.delete(API + route.format(pk=plugin.pk), **admin_auth)
    assert resp.status_code in (200, 204), resp.content
    plugin.refresh_from_db()
    assert not plugin.active
    assert Plugin.objects.filter(pk=plugin.pk).exists()
    assert PluginResult.objects.filter(pk=pr.pk).exists() and PluginResultJob.objects.filter(plugin_result=pr).exists()
    body = client.get(f"{API}pluginresult/{pr.pk}/", **admin_auth).json()
    assert body["pluginName"] == "Foo" and body["store"] == {"answer": 42} and body["state"] == "Completed"
    listed = client.get(f"{API}results/{report.pk}/pluginresults/", **admin_auth).json()
    assert [row["id"] for row in listed] == [pr.pk]
    assert client.get(f"{API}plugin/{plugin.pk}/", **admin_auth).status_code == 404  # no longer installed


def test_plugin_list_cannot_be_deleted_wholesale(client, admin_auth, zips):
    install(zips("Foo"))
    assert client.delete(API + "plugin/", **admin_auth).status_code == 405
    assert Plugin.objects.filter(active=True).count() == 1


def test_a_plugin_with_runs_cannot_be_deleted_outright(admin_user, zips):
    from django.db.models import ProtectedError

    plugin = install(zips("Foo"))
    _run(plugin, create_report(), admin_user)
    with pytest.raises(ProtectedError):
        plugin.delete()
    assert PluginResult.objects.filter(plugin=plugin).count() == 1
