"""A plugin run's key reads anything as the run's owner and may only change that run."""
import pytest
from django.test import Client

from rundb import models as m
from rundb.api.auth import plugin_result_from_request

from . import factories


@pytest.fixture
def runs(db, admin):
    owner, _ = factories.user("owner", groups=["ionusers"])
    res = factories.result(metrics=False)
    plug = factories.plugin()
    mine = factories.plugin_result(res, plug, owner, state="Started")
    other = factories.plugin_result(res, plug, admin[0], state="Started")
    return mine, other


def header(pr):
    return {"HTTP_AUTHORIZATION": f"pluginkey {pr.pk}:{pr.plain_apikey}"}


def test_query_parameters_authenticate(runs):
    mine, other = runs
    url = f"/rundb/api/v1/pluginresult/{mine.pk}/"
    assert Client().get(url, {"pluginresult": mine.pk, "api_key": mine.plain_apikey}).status_code == 200
    assert Client().get(url, {"pluginresult": mine.pk, "api_key": other.plain_apikey}).status_code == 401
    assert Client().get(url, {"pluginresult": 999999, "api_key": mine.plain_apikey}).status_code == 401


def test_header_authenticates_and_reads_other_resources(runs):
    mine, _ = runs
    response = Client().get(f"/rundb/api/v1/results/{mine.result_id}/", **header(mine))
    assert response.status_code == 200


def test_may_patch_its_own_run_and_jobs(runs):
    mine, _ = runs
    client = Client()
    response = client.patch(f"/rundb/api/v1/pluginresult/{mine.pk}/", '{"store": {"reads": 5}}',
                            content_type="application/json", **header(mine))
    assert response.status_code == 202, response.content
    mine.refresh_from_db()
    assert mine.store == {"reads": 5}
    job = mine.plugin_result_jobs.get()
    response = client.patch(f"/rundb/api/v1/PluginResultJob/{job.pk}/", '{"state": "Completed"}',
                            content_type="application/json", **header(mine))
    assert response.status_code == 202, response.content


def test_may_not_touch_another_run_or_anything_else(runs):
    mine, other = runs
    client = Client()
    response = client.patch(f"/rundb/api/v1/pluginresult/{other.pk}/", '{"store": {}}',
                            content_type="application/json", **header(mine))
    assert response.status_code == 403
    job = other.plugin_result_jobs.get()
    response = client.patch(f"/rundb/api/v1/PluginResultJob/{job.pk}/", '{"state": "Error"}',
                            content_type="application/json", **header(mine))
    assert response.status_code == 403
    assert client.post("/rundb/api/v1/project/", '{"name": "x"}', content_type="application/json",
                       **header(mine)).status_code == 403
    assert m.PluginResultJob.objects.get(pk=job.pk).state == "Started"


def test_acts_as_the_runs_owner(runs, rf):
    mine, _ = runs
    request = rf.get("/", HTTP_AUTHORIZATION=f"pluginkey {mine.pk}:{mine.plain_apikey}")
    from rundb.api.auth import authenticate_request

    assert authenticate_request(request).username == "owner"
    assert plugin_result_from_request(request) == mine


def test_apikey_never_shown(runs, client_for, api):
    # Only a hash is stored: neither the key nor its hash is shown, not even to the run itself.
    mine, other = runs
    stranger = client_for(*factories.user("stranger"))
    rows = {o["id"]: o for o in stranger.get("pluginresult/").json()["objects"]}
    assert rows[mine.pk]["apikey"] is None
    assert {o["apikey"] for o in api.get("pluginresult/").json()["objects"]} == {None}
    own = Client().get(f"/rundb/api/v1/pluginresult/{mine.pk}/", **header(mine)).json()
    assert own["apikey"] is None
