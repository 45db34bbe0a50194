"""Catalog and site resources: dnabarcode ?distinct, plugin active only, rig by name, and friends."""
from rundb import models as m

from . import factories


def test_dnabarcode_distinct_gives_one_row_per_kit(api, catalog):
    body = api.get("dnabarcode/", {"distinct": "1"}).json()
    assert [o["name"] for o in body["objects"]] == ["IonXpress", "MuSeek"]
    kit = api.get("dnabarcode/", {"name": "IonXpress", "order_by": "index"}).json()["objects"]
    assert [o["id_str"] for o in kit][:2] == ["IonXpress_001", "IonXpress_002"]


def test_plugin_lists_only_active_rows(api, db):
    factories.plugin("igv", "1.0", active=False)
    active = factories.plugin("igv", "2.0", isInstance=True)
    objects = api.get("plugin/").json()["objects"]
    assert [o["version"] for o in objects] == ["2.0"]
    row = objects[0]
    assert row["versionedName"] == "igv--v2.0" and row["availableVersions"] == ["1.0", "2.0"]
    assert row["input"] == f"/configure/plugins/plugin/{active.pk}/configure/report/"
    inactive = m.Plugin.objects.get(version="1.0")
    assert api.get(f"plugin/{inactive.pk}/").status_code == 404


def test_rig_key_is_its_name(api, db):
    loc = m.Location.objects.create(name="Home", defaultlocation=True)
    m.Rig.objects.create(name="PGM 1", location=loc)
    body = api.get("rig/").json()["objects"][0]
    assert body["resource_uri"] == "/rundb/api/v1/rig/PGM%201/"
    assert body["location"]["name"] == "Home"
    assert api.get("rig/PGM%201/").json()["name"] == "PGM 1"


def test_project_results_count_is_filterable_and_orderable(api, db, admin):
    busy = m.Project.objects.create(name="busy", creator=admin[0])
    m.Project.objects.create(name="idle", creator=admin[0])
    for _ in range(2):
        factories.result(metrics=False).projects.add(busy)
    rows = api.get("project/", {"order_by": "-resultsCount"}).json()["objects"]
    assert [(r["name"], r["resultsCount"]) for r in rows] == [("busy", 2), ("idle", 0)]
    assert [r["name"] for r in api.get("project/", {"resultsCount__gt": 0}).json()["objects"]] == ["busy"]
    assert rows[0]["creator"] == f"/rundb/api/v1/user/{admin[0].pk}/"


def test_sample_names_default_from_each_other(api, db):
    assert api.post("sample/", {"displayedName": "my sample 1"}).status_code == 201
    sample = m.Sample.objects.get()
    assert (sample.name, sample.displayedName) == ("my_sample_1", "my sample 1")
    assert api.delete(f"sample/{sample.pk}/").status_code == 405  # GET, POST, PUT only


def test_sampleset_computed_fields_and_create_body(api, catalog):
    response = api.post("sampleset/", {"displayedName": "set A", "sampleGroupTypeName": "self"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "created" and body["sampleGroupTypeName"] == "Self"
    assert body["sampleCount"] == 0 and body["readyForPlanning"] is False


def test_user_resource_is_read_only_and_hides_secrets(api, admin):
    body = api.get(f"user/{admin[0].pk}/").json()
    assert "password" not in body and "is_superuser" not in body
    assert body["username"] == "ionadmin" and body["full_name"] == ""
    assert api.patch(f"user/{admin[0].pk}/", {"username": "x"}).status_code == 405


def test_account_shows_the_caller_and_reissues_its_key(api, admin):
    body = api.get("account/").json()
    assert body["meta"]["total_count"] == 1
    me = body["objects"][0]
    assert me == {"uid": str(admin[0].pk), "username": "ionadmin", "admin": True, "api_key": None,
                  "resource_uri": f"/rundb/api/v1/account/{admin[0].pk}/"}
    response = api.post("account/", {})
    assert response.status_code == 201
    new_key = response.json()["api_key"]
    from django.test import Client

    assert Client().get("/rundb/api/v1/account/", HTTP_AUTHORIZATION=f"ApiKey ionadmin:{new_key}").status_code == 200


def test_eventlog_content_type_filter(api, db):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(m.Results)
    m.EventLog.objects.create(text="a", content_type=ct, object_pk=5)
    m.EventLog.objects.create(text="b", object_pk=5)
    rows = api.get("eventlog/", {"content_type_id": ct.pk, "object_pk": 5}).json()["objects"]
    assert [r["text"] for r in rows] == ["a"]
    assert api.get("eventlog/", {"content_type_id": "x"}).status_code == 400


def test_experiment_computed_fields(api, catalog):
    exp = factories.experiment(chipType="P1.1.17", log={})
    sample = m.Sample.objects.create(name="first")
    sample.experiments.add(exp)
    body = api.get(f"experiment/{exp.pk}/").json()
    assert (body["isProton"], body["sample"], body["runtype"]) == ("True", "first", "GENS")
