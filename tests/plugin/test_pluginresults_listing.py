"""GET /rundb/api/v1/results/<pk>/pluginresults/: the report's plugin section."""
import json
from pathlib import Path

import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from rundb.models import JobState, PluginResultJob

pytestmark = pytest.mark.django_db


def _get(client, result, auth, query=""):
    return client.get(f"/rundb/api/v1/results/{result.pk}/pluginresults/{query}", **auth)


def test_listing_fields_files_links_and_order(client, admin_user, admin_auth, zips):
    zeta = install(zips("zeta"))
    alpha = install(zips("Alpha", attrs="major_block = True"))
    result = create_report()
    old = launch_plugin(result, alpha, user=admin_user)
    PluginResultJob.objects.filter(plugin_result=old).update(state=JobState.COMPLETED)
    new = launch_plugin(result, alpha, user=admin_user)
    z = launch_plugin(result, zeta, user=admin_user)
    folder = Path(old.launched_jobs[0].work_dir)
    (folder / "Alpha_block.html").write_text("<p>block</p>")
    (folder / "details.html").write_text("<p>more</p>")
    (folder / "data.txt").write_text("not listed")
    resp = _get(client, result, admin_auth)
    assert resp.status_code == 200
    data = resp.json()
    assert isinstance(data, list)
    assert [(e["Name"], e["id"]) for e in data] == [("Alpha", new.pk), ("Alpha", old.pk), ("zeta", z.pk)]
    entry = data[1]
    assert entry["Version"] == "1.0.0.0" and entry["Major"] is True
    assert entry["Path"] == str(folder) + "/"
    assert entry["URL"] == f"/output/Home/{Path(result.report_dir).name}/plugin_out/Alpha_out.{old.pk}/"
    assert entry["Files"] == ["Alpha_block.html", "details.html"] and entry["Links"] == ["details.html"]
    assert entry["State"] == "Completed" and entry["can_terminate"] is False
    assert entry["Size"] > 0 and entry["inodes"] >= 5  # computed once the run finished
    assert [j["state"] for j in entry["plugin_result_jobs"]] == ["Completed"]
    assert entry["validation_errors"] == []
    assert data[0]["State"] == "Queued" and data[0]["can_terminate"] is True


def test_major_filter(client, admin_user, admin_auth, zips):
    major = install(zips("Major", attrs="major_block = True"))
    minor = install(zips("Minor"))
    result = create_report()
    pm = launch_plugin(result, major, user=admin_user)
    launch_plugin(result, minor, user=admin_user)
    folder = Path(pm.launched_jobs[0].work_dir)
    (folder / "Major_block.html").write_text("x")
    (folder / "other.html").write_text("x")
    data = _get(client, result, admin_auth, "?major=true").json()
    assert [e["Name"] for e in data] == ["Major"] and data[0]["Files"] == ["Major_block.html"]
    assert [e["Name"] for e in _get(client, result, admin_auth, "?major=false").json()] == ["Minor"]
    assert _get(client, result, admin_auth, "?major=maybe").status_code == 400


def test_orphan_folders_listed_as_unknown(client, admin_auth):
    result = create_report()
    orphan = Path(result.report_dir) / "plugin_out" / "Ghost_out.999"
    orphan.mkdir(parents=True)
    (orphan / "startplugin.json").write_text(json.dumps({"runinfo": {"plugin": {"version": "3.2.1.0"}}}))
    (orphan / "Ghost_block.html").write_text("x")
    (Path(result.report_dir) / "plugin_out" / "Legacy_out").mkdir()
    data = _get(client, result, admin_auth).json()
    ghost = next(e for e in data if e["Name"] == "Ghost")
    assert (ghost["State"], ghost["Version"], ghost["id"], ghost["Size"]) == ("Unknown", "3.2.1.0", None, -1)
    assert ghost["Files"] == ["Ghost_block.html"] and ghost["plugin_result_jobs"] == []
    legacy = next(e for e in data if e["Name"] == "Legacy")
    assert legacy["Version"] == "??"


def test_missing_folder_and_errors(client, admin_user, admin_auth, zips):
    import shutil

    plugin = install(zips("Foo"))
    result = create_report()
    pr = launch_plugin(result, plugin, user=admin_user)
    shutil.rmtree(pr.launched_jobs[0].work_dir)
    [entry] = _get(client, result, admin_auth).json()
    assert entry["Files"] == [] and entry["Links"] == []
    assert _get(client, result, {}).status_code == 401
    assert client.get("/rundb/api/v1/results/99999/pluginresults/", **admin_auth).status_code == 404


def test_failed_validation_shown(client, admin_user, admin_auth, zips):
    plugin = install(zips("Foo", attrs="requires_configuration = True"))
    result = create_report()
    launch_plugin(result, plugin, user=admin_user)
    [entry] = _get(client, result, admin_auth).json()
    assert entry["State"] == "Failed Validation"
    assert entry["validation_errors"] == ["Foo requires configuration before execution."]
