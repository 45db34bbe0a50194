"""POST /rundb/api/v1/results/<pk>/plugin/: a run, its folder and files, and its job row."""
import json
import stat
from pathlib import Path

import pytest

from launch_support import admin_auth, admin_user, fast_hasher, install, plain_user, report, user_auth, zips  # noqa: F401
from rundb.models import JobState, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db


def post(client, report, body, auth):
    return client.post(f"/rundb/api/v1/results/{report.pk}/plugin/", json.dumps(body),
                       content_type="application/json", **auth)


def test_launch_creates_run_folder_files_and_queued_job(client, report, plain_user, user_auth, zips):
    install(zips("Foo"))
    resp = post(client, report, {"plugin": ["Foo"], "pluginconfig": {"a": 1}}, user_auth)
    assert resp.status_code == 202, resp.content
    body = resp.json()
    pr = PluginResult.objects.get(pk=body["id"])
    assert body["resource_uri"] == f"/rundb/api/v1/pluginresult/{pr.pk}/"
    assert pr.owner == plain_user
    assert len(pr.apikey) == 40
    folder = Path(report.report_dir) / "plugin_out" / f"Foo_out.{pr.pk}"
    assert sorted(p.name for p in folder.iterdir()) == ["barcodes.json", "ion_plugin_Foo_launch.sh", "startplugin.json"]
    script = folder / "ion_plugin_Foo_launch.sh"
    assert stat.S_IMODE(script.stat().st_mode) == 0o700  # it holds the run's key
    job = PluginResultJob.objects.get(plugin_result=pr)
    assert (job.run_level, job.state, job.config) == ("default", JobState.QUEUED, {"a": 1})
    assert job.script_path == str(script) and job.work_dir == str(folder)
    assert job.stdout_path == str(folder / "drmaa_stdout.txt")
    assert job.grid_engine_jobid is None
    assert body["jobs"][0]["id"] == job.pk and body["state"] == "Queued"
    start = json.loads((folder / "startplugin.json").read_text())
    assert start["pluginconfig"] == {"a": 1}
    assert start["runinfo"]["pluginresult"] == pr.pk and start["runinfo"]["api_key"] == pr.apikey


@pytest.mark.parametrize("spec", ["Foo", "by_id", {"name": "Foo"}])
def test_plugin_given_as_name_id_or_query(client, report, admin_auth, zips, spec):
    plugin = install(zips("Foo"))
    spec = plugin.pk if spec == "by_id" else spec
    resp = post(client, report, {"plugin": spec}, admin_auth)
    assert resp.status_code == 202, resp.content
    assert PluginResult.objects.get(pk=resp.json()["id"]).plugin == plugin


def test_errors(client, report, admin_auth, zips):
    install(zips("Foo"))
    r = post(client, report, {"plugin": ["Nope"]}, admin_auth)
    assert r.status_code == 410 and "Nope" in r.json()["error"]
    r = post(client, report, {"pluginconfig": {}}, admin_auth)
    assert r.status_code == 400 and "'plugin' is required" in r.json()["error"]
    r = post(client, report, {"plugin": "Foo", "pluginconfig": [1]}, admin_auth)
    assert r.status_code == 400 and "pluginconfig" in r.json()["error"]
    r = client.post(f"/rundb/api/v1/results/{report.pk}/plugin/", "{not json", content_type="application/json", **admin_auth)
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.post("/rundb/api/v1/results/99999/plugin/", json.dumps({"plugin": "Foo"}),
                    content_type="application/json", **admin_auth)
    assert r.status_code == 404
    r = client.post(f"/rundb/api/v1/results/{report.pk}/plugin/", json.dumps({"plugin": "Foo"}),
                    content_type="application/json")
    assert r.status_code == 401 and r.json() == {"error": "Authentication required."}  # rundb.api.endpoint
    assert not PluginResult.objects.exists()


def test_disabled_plugin_is_gone(client, report, admin_auth, zips):
    plugin = install(zips("Foo"))
    type(plugin).objects.filter(pk=plugin.pk).update(selected=False)
    assert post(client, report, {"plugin": "Foo"}, admin_auth).status_code == 410


def test_rerun_into_existing_pluginresult(client, report, admin_auth, zips):
    install(zips("Foo"))
    first = post(client, report, {"plugin": "Foo"}, admin_auth).json()
    again = post(client, report, {"plugin": "Foo", "pluginresult": first["id"]}, admin_auth)
    assert again.status_code == 202
    assert again.json()["id"] == first["id"]
    assert PluginResult.objects.count() == 1
    jobs = PluginResultJob.objects.filter(plugin_result_id=first["id"]).order_by("pk")
    assert jobs.count() == 2
    # The first job still waits for its own script; the rerun got a separate one.
    assert jobs[0].script_path != jobs[1].script_path
    assert all(Path(j.script_path).is_file() for j in jobs)


def test_only_superuser_may_launch_for_someone_else(client, report, admin_user, plain_user, user_auth, admin_auth, zips):
    install(zips("Foo"))
    assert post(client, report, {"plugin": "Foo", "owner": "ionadmin"}, user_auth).status_code == 403
    resp = post(client, report, {"plugin": "Foo", "username": "ionuser"}, admin_auth)
    assert PluginResult.objects.get(pk=resp.json()["id"]).owner == plain_user


def test_requires_configuration_fails_validation_without_job(client, report, admin_auth, zips):
    install(zips("Foo", attrs="requires_configuration = True"))
    resp = post(client, report, {"plugin": "Foo"}, admin_auth)
    assert resp.status_code == 202
    body = resp.json()
    assert body["state"] == "Failed Validation"
    assert body["validation_errors"] == ["Foo requires configuration before execution."]
    assert not PluginResultJob.objects.exists()
    assert post(client, report, {"plugin": "Foo", "pluginconfig": {"x": 1}}, admin_auth).json()["state"] == "Queued"
