"""POST results/<pk>/reanalyze/ and experiment/<pk>/reanalyze/: a new report and a queued
analysis job; authentication, permission and bad-request handling."""
import json

import pytest
from django.contrib.auth import get_user_model

from analysis_support import launch_support
from rundb.api.keys import issue_key
from rundb.models import AnalysisJob, JobState, Results

pytestmark = [pytest.mark.django_db, pytest.mark.urls("analysis_urls")]


@pytest.fixture
def report():
    return launch_support.create_report(name="Auto_user_api")


@pytest.fixture
def admin_key(db):
    user = get_user_model().objects.create_superuser("ionadmin", "a@example.com", "pw")
    return {"HTTP_AUTHORIZATION": f"ApiKey ionadmin:{issue_key(user)}"}


def _post(client, url, body=None, **headers):
    data = json.dumps(body) if body is not None else ""
    return client.post(url, data=data, content_type="application/json", **headers)


def test_reanalyze_a_report(client, report, admin_key):
    response = _post(client, f"/rundb/api/v1/results/{report.pk}/reanalyze/", {"name": "Second look"}, **admin_key)
    assert response.status_code == 202, response.content
    body = response.json()
    new = Results.objects.get(pk=body["id"])
    assert new.pk != report.pk and new.experiment_id == report.experiment_id
    assert new.resultsName == "Second_look" and new.status == "Pending"
    assert body["resource_uri"] == f"/rundb/api/v1/results/{new.pk}/"
    job = AnalysisJob.objects.get(pk=body["job"]["id"])
    assert job.result_id == new.pk and job.state == JobState.QUEUED
    assert "run_analysis" in open(job.script_path).read()


def test_reanalyze_an_experiment_with_default_name(client, report, admin_key):
    response = _post(client, f"/rundb/api/v1/experiment/{report.experiment_id}/reanalyze/", **admin_key)
    assert response.status_code == 202, response.content
    assert Results.objects.filter(experiment_id=report.experiment_id).count() == 2


def test_needs_authentication(client, report):
    response = _post(client, f"/rundb/api/v1/results/{report.pk}/reanalyze/")
    assert response.status_code == 401 and response.json() == {"error": "Authentication required."}
    assert response["WWW-Authenticate"].startswith("Basic")


def test_needs_the_add_results_permission(client, report):
    user = get_user_model().objects.create_user("viewer", "v@example.com", "pw")
    key = issue_key(user)
    response = _post(client, f"/rundb/api/v1/results/{report.pk}/reanalyze/",
                     HTTP_AUTHORIZATION=f"ApiKey viewer:{key}")
    assert response.status_code == 403 and "rundb.add_results" in response.json()["error"]
    assert Results.objects.count() == 1


@pytest.mark.parametrize("body, status", [("{not json", 400), ("[1, 2]", 400), ('{"name": 5}', 400)])
def test_bad_bodies(client, report, admin_key, body, status):
    response = client.post(f"/rundb/api/v1/results/{report.pk}/reanalyze/", data=body,
                           content_type="application/json", **admin_key)
    assert response.status_code == status and "error" in response.json()


def test_unknown_ids_wrong_method_and_missing_run_folder(client, report, admin_key):
    assert _post(client, "/rundb/api/v1/results/999999/reanalyze/", **admin_key).status_code == 404
    assert _post(client, "/rundb/api/v1/experiment/999999/reanalyze/", **admin_key).status_code == 404
    response = client.get(f"/rundb/api/v1/results/{report.pk}/reanalyze/", **admin_key)
    assert response.status_code == 405 and response["Allow"] == "POST"
    import shutil

    shutil.rmtree(report.experiment.expDir)
    response = _post(client, f"/rundb/api/v1/results/{report.pk}/reanalyze/", **admin_key)
    assert response.status_code == 409 and "does not exist" in response.json()["error"]
