"""POST /rundb/api/v1/pluginresult/<pk>/rescan/: re-read a run's output folder (size, inodes and
the newest results.json of its finished jobs into the store); GET changes nothing (405)."""
import json
import os

import pytest
from django.contrib.auth import get_user_model

from launch_support import admin_user, basic_auth, create_report, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from plugin.services.launch import launch_plugin
from plugin.services.reportinfo import pluginresult_dir
from rundb.models import JobState, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db


def _url(pk):
    return f"/rundb/api/v1/pluginresult/{pk}/rescan/"


@pytest.fixture
def run(plain_user, zips):
    return launch_plugin(create_report(), install(zips("Scan")), user=plain_user)


def _finish(run):
    PluginResultJob.objects.filter(plugin_result=run).update(state=JobState.COMPLETED)


def _usage(folder):
    files = [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]
    return sum(os.lstat(p).st_size for p in files), len(files)


def test_rescan_measures_the_folder_and_stores_results_json(client, user_auth, run):
    folder = pluginresult_dir(run)
    (folder / "Scan.html").write_text("<p>report</p>" * 100)
    (folder / "sub").mkdir()
    (folder / "sub" / "data.txt").write_bytes(b"x" * 4096)
    (folder / "results.json").write_text(json.dumps({"reads": 12, "ok": True}))
    _finish(run)
    resp = client.post(_url(run.pk), **user_auth)
    assert resp.status_code == 202, resp.content
    body = resp.json()
    size, inodes = _usage(folder)
    assert (body["size"], body["inodes"]) == (size, inodes) and size > 4096
    assert body["store_updated"] is True and body["store_error"] is None and body["state"] == "Completed"
    row = PluginResult.objects.get(pk=run.pk)
    assert (row.size, row.inodes, row.store) == (size, inodes, {"reads": 12, "ok": True})
    again = client.post(_url(run.pk), **user_auth).json()
    assert again["store_updated"] is False  # the same content is not written twice


def test_a_malformed_results_json_is_reported_not_stored(client, user_auth, run):
    PluginResult.objects.filter(pk=run.pk).update(store={"kept": 1})
    (pluginresult_dir(run) / "results.json").write_text("{broken")
    _finish(run)
    body = client.post(_url(run.pk), **user_auth).json()
    assert body["store_updated"] is False and "not valid JSON" in body["store_error"]
    assert PluginResult.objects.get(pk=run.pk).store == {"kept": 1}


def test_a_running_jobs_results_json_waits_for_its_end(client, user_auth, run):
    folder = pluginresult_dir(run)
    (folder / "results.json").write_text(json.dumps({"partial": True}))
    body = client.post(_url(run.pk), **user_auth).json()
    assert body["store_updated"] is False and body["state"] == "Queued"
    assert body["size"] == _usage(folder)[0]
    assert PluginResult.objects.get(pk=run.pk).store == {}


def test_errors_and_permissions(client, user_auth, run, zips, plain_user):
    assert client.post(_url(99999), **user_auth).status_code == 404
    assert client.post(_url(run.pk)).status_code == 401
    before = PluginResult.objects.filter(pk=run.pk).values().get()
    assert client.get(_url(run.pk), **user_auth).status_code == 405
    get_user_model().objects.create_user("outsider", password="pw")  # no change_pluginresult
    assert client.post(_url(run.pk), **basic_auth("outsider", "pw")).status_code == 403
    other = launch_plugin(create_report(name="Auto_user_run2"), install(zips("Other")), user=plain_user)
    other_key = {"HTTP_AUTHORIZATION": f"pluginkey {other.pk}:{other.plain_apikey}"}
    resp = client.post(_url(run.pk), **other_key)
    assert resp.status_code == 403 and "own run" in resp.json()["error"]
    assert PluginResult.objects.filter(pk=run.pk).values().get() == before
    own_key = {"HTTP_AUTHORIZATION": f"pluginkey {run.pk}:{run.plain_apikey}"}
    assert client.post(_url(run.pk), **own_key).status_code == 202
    folder = pluginresult_dir(run)
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()
    gone = client.post(_url(run.pk), **user_auth)
    assert gone.status_code == 410 and "gone" in gone.json()["error"]
