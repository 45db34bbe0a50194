"""POST/GET /rundb/api/v1/pluginresult/<pk>/stop/: ask the job service to cancel the run's jobs."""
import pytest
from django.contrib.auth import get_user_model

from launch_support import admin_auth, admin_user, basic_auth, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from rundb.models import JobState, PluginResultJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(admin_user, zips):
    plugin = install(zips("M", attrs="runlevels = [RunLevel.PRE, RunLevel.DEFAULT]"))
    pr = launch_plugin(create_report(), plugin, user=admin_user)
    pre, default = pr.launched_jobs
    PluginResultJob.objects.filter(pk=pre.pk).update(state=JobState.COMPLETED)
    return pr


def test_stop_sets_cancel_requested_on_active_jobs(client, admin_auth, run):
    resp = client.post(f"/rundb/api/v1/pluginresult/{run.pk}/stop/", **admin_auth)
    assert resp.status_code == 202
    pre, default = run.plugin_result_jobs.order_by("pk")
    assert resp.json() == {"pluginresult": run.pk, "cancel_requested": [default.pk]}
    assert default.cancel_requested is True and pre.cancel_requested is False
    assert default.state == JobState.QUEUED  # the job service records Cancelled
    assert client.post(f"/rundb/api/v1/pluginresult/{run.pk}/stop/", **admin_auth).status_code == 202
    assert client.get(f"/rundb/api/v1/pluginresult/{run.pk}/stop/", **admin_auth).status_code == 405  # GET changes nothing


def test_stop_permissions(client, run, fast_hasher):
    url = f"/rundb/api/v1/pluginresult/{run.pk}/stop/"
    assert client.post(url).status_code == 401
    get_user_model().objects.create_user("stranger", password="pw")
    assert client.post(url, **basic_auth("stranger", "pw")).status_code == 403
    key = {"HTTP_AUTHORIZATION": f"pluginkey {run.pk}:{run.apikey}"}
    assert client.post(url, **key).status_code == 202
    assert client.post("/rundb/api/v1/pluginresult/99999/stop/", **basic_auth("stranger", "pw")).status_code == 404
