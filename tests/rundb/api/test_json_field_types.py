"""JSON columns: ``schema/`` gives the SDK reference's type for each (string / dict / list), values are
nested JSON of the column's kind (``childPlans`` a list), and writes of the wrong kind are 400."""
import pytest

from rundb import models as m

from . import factories

PLAN = {"planName": "json_plan", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s1"}


def _spec_type(api_spec, resource, field):
    return next(f["type"] for f in api_spec[resource]["fields"] if f["name"] == field)


@pytest.mark.parametrize("resource, field", [
    ("plannedexperiment", "metaData"), ("plannedexperiment", "chefInfo"), ("plannedexperiment", "childPlans"),
    ("plannedexperiment", "barcodedSamples"), ("plannedexperiment", "selectedPlugins"),
    ("experiment", "metaData"), ("experiment", "log"), ("results", "metaData"),
    ("experimentanalysissettings", "barcodedSamples"), ("plugin", "config"), ("plugin", "pluginsettings"),
    ("pluginresult", "store"), ("rig", "alarms"), ("publisher", "global_meta"), ("runtype", "meta"),
])
def test_schema_type_is_the_references(anon, api_spec, resource, field):
    ours = anon.get(f"/rundb/api/v1/{resource}/schema/").json()["fields"][field]["type"]
    assert ours == _spec_type(api_spec, resource, field)


def test_plan_values_have_their_kinds(api, catalog):
    response = api.post("plannedexperiment/", PLAN)
    assert response.status_code == 201, response.content
    plan = api.get(f"plannedexperiment/{response.json()['id']}/").json()
    assert plan["childPlans"] == [] and isinstance(plan["chefInfo"], dict) and isinstance(plan["metaData"], dict)
    listed = api.get("plannedexperiment/", {"planName": "json_plan"}).json()["objects"][0]
    assert listed["childPlans"] == []


@pytest.mark.parametrize("bad", ["notadict", ["a", "list"], 3, True])
def test_experiment_metadata_must_be_an_object(api, db, bad):
    exp = factories.experiment(metaData={"keep": 1})
    response = api.patch(f"experiment/{exp.pk}/", {"metaData": bad})
    assert response.status_code == 400, response.content
    assert "metaData" in response.json()["error"]
    exp.refresh_from_db()
    assert exp.metaData == {"keep": 1}


def test_results_metadata_must_be_an_object(api, db):
    res = factories.result()
    response = api.patch(f"results/{res.pk}/", {"metaData": "notadict"})
    assert response.status_code == 400
    assert "metaData" in response.json()["error"]


def test_plan_metadata_and_childplans_kinds_are_checked(api, catalog):
    response = api.post("plannedexperiment/", {**PLAN, "metaData": "notadict"})
    assert response.status_code == 400 and "metaData" in response.json()["error"], response.content
    response = api.post("plannedexperiment/", {**PLAN, "childPlans": {"not": "a list"}})
    assert response.status_code == 400 and "childPlans" in response.json()["error"], response.content
    assert not m.PlannedExperiment.objects.filter(planName="json_plan").exists()


def test_objects_and_json_text_are_stored_as_objects(api, db):
    exp = factories.experiment()
    assert api.patch(f"experiment/{exp.pk}/", {"metaData": {"a": [1, 2]}}).status_code == 202
    exp.refresh_from_db()
    assert exp.metaData == {"a": [1, 2]}
    # Older clients send the column as JSON text: accepted when it holds an object.
    assert api.patch(f"experiment/{exp.pk}/", {"metaData": '{"b": 2}'}).status_code == 202
    exp.refresh_from_db()
    assert exp.metaData == {"b": 2}
    assert api.get(f"experiment/{exp.pk}/").json()["metaData"] == {"b": 2}
