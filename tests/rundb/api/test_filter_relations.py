"""Filters through relations, unknown parameters, and fields that may not be filtered."""
import pytest

from rundb import models as m

from . import factories


@pytest.fixture
def data(db, admin):
    ecoli = factories.experiment("ecoli_run", chipType="316")
    human = factories.experiment("human_run", chipType="540")
    r1 = factories.result(ecoli, "Auto_ecoli")
    r2 = factories.result(human, "Auto_human")
    project = m.Project.objects.create(name="demo", creator=admin[0])
    r2.projects.add(project)
    plug = factories.plugin("coverageAnalysis")
    factories.plugin_result(r1, plug, admin[0])
    return {"ecoli": r1.pk, "human": r2.pk}


def ids(api, resource="results", **params):
    response = api.get(f"{resource}/", params)
    assert response.status_code == 200, response.content
    return sorted(o["id"] for o in response.json()["objects"])


def test_to_one_traversal(api, data):
    assert ids(api, experiment__expName__icontains="ECOLI") == [data["ecoli"]]
    assert ids(api, experiment__chipType="540") == [data["human"]]


def test_to_one_by_primary_key(api, data):
    exp = m.Results.objects.get(pk=data["human"]).experiment_id
    assert ids(api, experiment=str(exp)) == [data["human"]]
    assert ids(api, experiment__in=str(exp)) == [data["human"]]


def test_to_many_traversal_is_distinct(api, data):
    assert ids(api, projects__name="demo") == [data["human"]]
    assert ids(api, pluginresults__plugin__name="coverageAnalysis") == [data["ecoli"]]
    assert ids(api, libmetrics__totalNumReads__gt="1000") == sorted(data.values())


def test_reverse_traversal_from_metrics(api, data):
    assert ids(api, "libmetrics", report__resultsName="Auto_human") == list(
        m.LibMetrics.objects.filter(report_id=data["human"]).values_list("pk", flat=True))


def test_relation_isnull(api, data):
    assert ids(api, eas__isnull="true") == sorted(data.values())


def test_unknown_parameters_are_ignored(api, data):
    assert ids(api, bogusparam="1", username="x", callback="cb") == sorted(data.values())


def test_computed_field_cannot_be_filtered(api, data):
    response = api.get("results/", {"filesystempath": "x"})
    assert response.status_code == 400
    assert response.json() == {"error": "The 'filesystempath' field does not allow filtering."}


def test_unknown_field_after_a_relation_is_400(api, data):
    response = api.get("results/", {"experiment__nosuch": "1"})
    assert response.status_code == 400 and "nosuch" in response.json()["error"]


def test_uri_value_for_a_relation_is_a_type_error(api, data):
    response = api.get("results/", {"experiment": "/rundb/api/v1/experiment/3/"})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid resource lookup data provided (mismatched type)."


def test_hidden_user_fields_cannot_be_probed(api, data):
    # password is not a field of the user resource, so it cannot be reached through owner.
    response = api.get("pluginresult/", {"owner__password__startswith": "pbkdf2"})
    assert response.status_code == 400
    assert "password" in response.json()["error"]
    response = api.get("pluginresult/", {"owner__is_superuser": "true"})
    assert response.status_code == 400


def test_plugin_list_filters_by_active_name(api, data):
    factories.plugin("igv", active=False)
    names = [o["name"] for o in api.get("plugin/").json()["objects"]]
    assert names == ["coverageAnalysis"]
