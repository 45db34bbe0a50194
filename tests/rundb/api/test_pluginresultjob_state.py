"""PluginResultJob: mixed-case name; PATCH state moves forward and stamps times."""
import pytest

from rundb import models as m

from . import factories


@pytest.fixture
def job(db, admin):
    res = factories.result(metrics=False)
    pr = factories.plugin_result(res, factories.plugin(), admin[0], state="Queued", started=False)
    return pr.plugin_result_jobs.get()


def test_lowercase_name_is_404(api, job):
    assert api.get("pluginresultjob/").status_code == 404
    assert api.get("PluginResultJob/").status_code == 200


def test_started_then_completed_stamps_times(api, job):
    assert api.patch(f"PluginResultJob/{job.pk}/", {"state": "Started"}).status_code == 202
    job.refresh_from_db()
    assert job.state == "Started" and job.starttime is not None and job.endtime is None
    assert api.patch(f"PluginResultJob/{job.pk}/", {"state": "Completed"}).status_code == 202
    job.refresh_from_db()
    assert job.state == "Completed" and job.endtime is not None
    pr = api.get(f"pluginresult/{job.plugin_result_id}/").json()
    assert pr["state"] == "Completed" and pr["endtime"] and pr["can_terminate"] is False


def test_repeating_a_final_state_is_harmless_but_going_back_is_409(api, job):
    api.patch(f"PluginResultJob/{job.pk}/", {"state": "Completed"})
    assert api.patch(f"PluginResultJob/{job.pk}/", {"state": "Completed"}).status_code == 202
    response = api.patch(f"PluginResultJob/{job.pk}/", {"state": "Started"})
    assert response.status_code == 409
    assert m.PluginResultJob.objects.get(pk=job.pk).state == "Completed"


def test_unknown_state_is_400(api, job):
    response = api.patch(f"PluginResultJob/{job.pk}/", {"state": "Finished-ish"})
    assert response.status_code == 400 and "state" in response.json()["error"]


def test_filter_by_grid_job_and_run(api, job):
    m.PluginResultJob.objects.filter(pk=job.pk).update(grid_engine_jobid=614)
    rows = api.get("PluginResultJob/", {"grid_engine_jobid": 614, "pluginresult": job.plugin_result_id}).json()
    assert [o["id"] for o in rows["objects"]] == [job.pk]
    assert rows["objects"][0]["pluginresult"] == f"/rundb/api/v1/pluginresult/{job.plugin_result_id}/"
