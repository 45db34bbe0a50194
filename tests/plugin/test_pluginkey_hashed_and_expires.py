"""Per-launch plugin keys: the job gets the plain key (startplugin.json, launch script), the
database only its hash; the key authenticates while one of its jobs is Queued/Started and
stops working once the job's own final callback has recorded a final state."""
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from rundb.models import JobState, PluginResult, PluginResultJob, hash_plugin_key

pytestmark = pytest.mark.django_db

API = "/rundb/api/v1"


def auth(pr_pk, key):
    return {"HTTP_AUTHORIZATION": f"pluginkey {pr_pk}:{key}"}


def startplugin_key(job):
    return json.loads((Path(job.work_dir) / "startplugin.json").read_text())["runinfo"]["api_key"]


@pytest.fixture
def launched(admin_user, zips):
    plugin = install(zips("Keyed"))
    report = create_report()
    pr = launch_plugin(report, plugin, user=admin_user)
    return plugin, report, pr


def test_database_holds_only_the_hash(launched):
    _, _, pr = launched
    job = pr.launched_jobs[0]
    key = startplugin_key(job)
    assert len(key) == 40
    stored = PluginResult.objects.get(pk=pr.pk).apikey
    assert stored == hash_plugin_key(key) and key not in stored
    assert PluginResultJob.objects.get(pk=job.pk).apikey_hash == stored
    script = Path(job.script_path).read_text()
    assert f"ION_PLUGIN_API_KEY={key}" in script  # the job itself has the plain key
    # The stored hash is not a key.
    assert Client().get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, stored)).status_code == 401


def test_key_works_until_the_final_callback_then_dies(launched):
    _, _, pr = launched
    job = pr.launched_jobs[0]
    key = startplugin_key(job)
    client = Client()
    assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, key)).status_code == 200
    assert client.get(f"{API}/pluginresult/{pr.pk}/", {"pluginresult": pr.pk, "api_key": key}).status_code == 200
    # The launch script's callbacks: Started, then store + final state.
    url = f"{API}/PluginResultJob/{job.pk}/"
    assert client.patch(url, '{"state": "Started"}', content_type="application/json",
                        **auth(pr.pk, key)).status_code == 202
    assert client.patch(f"{API}/pluginresult/{pr.pk}/", '{"store": {"n": 1}}', content_type="application/json",
                        **auth(pr.pk, key)).status_code == 202
    response = client.patch(url, '{"state": "Completed"}', content_type="application/json", **auth(pr.pk, key))
    assert response.status_code == 202, response.content
    assert PluginResultJob.objects.get(pk=job.pk).state == JobState.COMPLETED
    # Final state recorded: the key no longer authenticates anything.
    assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, key)).status_code == 401
    assert client.patch(f"{API}/pluginresult/{pr.pk}/", '{"store": {}}', content_type="application/json",
                        **auth(pr.pk, key)).status_code == 401
    assert PluginResult.objects.get(pk=pr.pk).store == {"n": 1}


@pytest.mark.parametrize("final", [JobState.ERROR, JobState.CANCELLED, JobState.TIMED_OUT])
def test_any_final_state_set_by_the_job_service_kills_the_key(launched, final):
    _, _, pr = launched
    job = pr.launched_jobs[0]
    key = startplugin_key(job)
    PluginResultJob.objects.filter(pk=job.pk).update(state=final)
    assert Client().get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, key)).status_code == 401


def test_each_launch_has_its_own_key_and_each_dies_with_its_jobs(launched, admin_user):
    plugin, report, pr = launched
    first_job = pr.launched_jobs[0]
    first_key = startplugin_key(first_job)
    again = launch_plugin(report, plugin, user=admin_user, pluginresult=pr)  # first job still queued
    second_job = again.launched_jobs[0]
    second_key = again.plain_apikey
    assert second_key != first_key
    client = Client()
    for key in (first_key, second_key):
        assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, key)).status_code == 200
    PluginResultJob.objects.filter(pk=first_job.pk).update(state=JobState.COMPLETED)
    assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, first_key)).status_code == 401
    assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, second_key)).status_code == 200
    PluginResultJob.objects.filter(pk=second_job.pk).update(state=JobState.ERROR)
    assert client.get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, second_key)).status_code == 401


def test_key_of_one_run_does_not_open_another(launched, admin_user):
    plugin, report, pr = launched
    other = launch_plugin(create_report(name="Auto_user_run2"), plugin, user=admin_user)
    key = startplugin_key(pr.launched_jobs[0])
    assert Client().get(f"{API}/pluginresult/{other.pk}/", **auth(other.pk, key)).status_code == 401
    assert Client().get(f"{API}/pluginresult/{pr.pk}/", **auth("99999999999999999999999", key)).status_code == 401


def test_migration_hashes_existing_plaintext_keys(launched):
    from importlib import import_module

    _, _, pr = launched
    job = pr.launched_jobs[0]
    plain = "ab" * 20
    PluginResult.objects.filter(pk=pr.pk).update(apikey=plain)  # a row from before the upgrade
    PluginResultJob.objects.filter(pk=job.pk).update(apikey_hash="")
    import_module("rundb.migrations.0007_pluginkey_hash").hash_existing(apps, None)
    assert PluginResult.objects.get(pk=pr.pk).apikey == hash_plugin_key(plain)
    assert PluginResultJob.objects.get(pk=job.pk).apikey_hash == hash_plugin_key(plain)
    assert Client().get(f"{API}/pluginresult/{pr.pk}/", **auth(pr.pk, plain)).status_code == 200
