"""DELETE /rundb/api/v1/pluginresult/<pk>/delete/ (the report's Delete button): the run and its
output folder go (so it does not come back as an orphan); a running one must be stopped first."""
import json

import pytest
from django.contrib.auth import get_user_model

from launch_support import admin_auth, admin_user, basic_auth, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from plugin.services.reportinfo import pluginresult_dir
from rundb.models import JobState, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(admin_user, zips):
    plugin = install(zips("D"))
    return launch_plugin(create_report(), plugin, user=admin_user)


def test_delete_removes_row_and_folder(client, admin_auth, run):
    url = f"/rundb/api/v1/pluginresult/{run.pk}/delete/"
    folder = pluginresult_dir(run)
    assert folder.is_dir()
    busy = client.delete(url, **admin_auth)
    assert busy.status_code == 409 and "stop it first" in busy.json()["error"]
    PluginResultJob.objects.filter(plugin_result=run).update(state=JobState.COMPLETED)
    done = client.delete(url, **admin_auth)
    assert done.status_code == 200 and done.json() == {"deleted": run.pk}
    assert not PluginResult.objects.filter(pk=run.pk).exists() and not folder.exists()
    listing = client.get(f"/rundb/api/v1/results/{run.result_id}/pluginresults/", **admin_auth).json()
    assert listing == []
    assert client.delete(url, **admin_auth).status_code == 404


def test_delete_permissions(client, run, fast_hasher):
    url = f"/rundb/api/v1/pluginresult/{run.pk}/delete/"
    # The run's own key (plain only in startplugin.json) works while its job is active, but
    # may not delete; once the job is final the key is dead (tests/plugin/test_pluginkey_hashed_and_expires.py).
    plain = json.loads((pluginresult_dir(run) / "startplugin.json").read_text())["runinfo"]["api_key"]
    key = {"HTTP_AUTHORIZATION": f"pluginkey {run.pk}:{plain}"}
    assert client.delete(url, **key).status_code == 403
    PluginResultJob.objects.filter(plugin_result=run).update(state=JobState.COMPLETED)
    assert client.delete(url, **key).status_code == 401
    assert client.delete(url).status_code == 401
    get_user_model().objects.create_user("stranger", password="pw")
    assert client.delete(url, **basic_auth("stranger", "pw")).status_code == 403
    assert client.get(url, **basic_auth("stranger", "pw")).status_code == 405
    assert PluginResult.objects.filter(pk=run.pk).exists()
