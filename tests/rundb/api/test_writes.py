"""POST 201 + Location, PUT, PATCH 202, DELETE 204; validation errors name the field."""
from rundb import models as m

from . import factories


def test_post_creates_with_location(api, db):
    response = api.post("location/", {"name": "Lab 2", "comments": "second floor"})
    assert response.status_code == 201
    assert response.content == b""
    loc = m.Location.objects.get(name="Lab 2")
    assert response["Location"] == f"http://testserver/rundb/api/v1/location/{loc.pk}/"


def test_post_with_relations_by_uri_or_id(api, db, admin):
    creator = f"/rundb/api/v1/user/{admin[0].pk}/"
    assert api.post("project/", {"name": "p_uri", "creator": creator}).status_code == 201
    assert api.post("project/", {"name": "p_id", "creator": admin[0].pk}).status_code == 201
    assert api.post("project/", {"name": "p_default"}).status_code == 201  # creator = caller
    assert set(m.Project.objects.values_list("creator_id", flat=True)) == {admin[0].pk}


def test_put_updates_and_keeps_absent_fields(api, db):
    loc = m.Location.objects.create(name="Home", comments="keep me")
    response = api.put(f"location/{loc.pk}/", {"name": "Main"})
    assert response.status_code == 204
    loc.refresh_from_db()
    assert (loc.name, loc.comments) == ("Main", "keep me")


def test_put_to_a_new_key_creates(api, db):
    loc = m.Location.objects.create(name="Home")
    response = api.put("rig/S20/", {"location": f"/rundb/api/v1/location/{loc.pk}/", "comments": "new"})
    assert response.status_code == 201
    assert m.Rig.objects.get(name="S20").comments == "new"


def test_put_to_an_unknown_numeric_id_is_404(api, db):
    assert api.put("location/999999/", {"name": "x"}).status_code == 404
    assert not api.get("location/").json()["objects"]


def test_patch_is_202_and_partial(api, db):
    exp = factories.experiment(notes="old")
    response = api.patch(f"experiment/{exp.pk}/", {"notes": "x", "star": True})
    assert response.status_code == 202
    assert response.json()["notes"] == "x"  # experiment returns data, as the original
    exp.refresh_from_db()
    assert (exp.notes, exp.star, exp.flows) == ("x", True, 500)


def test_patch_json_column_and_runtype(api, db):
    exp = factories.experiment()
    body = api.patch(f"experiment/{exp.pk}/", {"metaData": {"a": [1, 2]}, "runtype": "WGNM"}).json()
    assert body["metaData"] == {"a": [1, 2]} and body["runtype"] == "WGNM" and body["log"]["runtype"] == "WGNM"


def test_patch_unknown_id_is_404(api, db):
    assert api.patch("experiment/999999/", {"notes": "x"}).status_code == 404


def test_delete_is_204(api, db):
    loc = m.Location.objects.create(name="Gone")
    assert api.delete(f"location/{loc.pk}/").status_code == 204
    assert not m.Location.objects.filter(pk=loc.pk).exists()
    assert api.delete(f"location/{loc.pk}/").status_code == 404


def test_delete_of_a_referenced_row_is_409(api, db):
    loc = m.Location.objects.create(name="Busy")
    m.Rig.objects.create(name="S1", location=loc)
    response = api.delete(f"location/{loc.pk}/")
    assert response.status_code == 409 and "referenced" in response.json()["error"]


def test_validation_errors_name_the_field(api, db):
    response = api.post("chip/", {"name": "", "slots": "many"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) >= {"name", "slots"}
    response = api.post("chip/", {"name": "x" * 300})
    assert "name" in response.json()["error"]
    response = api.post("experiment/", {"expName": "x", "unique": "/u", "flows": "abc"})
    assert "flows" in response.json()["error"]
    response = api.post("experiment/", {"expName": "x", "unique": "/u", "star": "perhaps"})
    assert "star" in response.json()["error"]


def test_bad_relation_value_names_the_field(api, db):
    response = api.post("project/", {"name": "p", "creator": "/rundb/api/v1/user/999999/"})
    assert response.status_code == 400 and "creator" in response.json()["error"]
    response = api.post("project/", {"name": "p", "creator": "/rundb/api/v1/chip/1/"})
    assert response.status_code == 400 and "creator" in response.json()["error"]


def test_unique_conflict_is_400(api, db):
    factories.experiment("dup", unique="/same")
    response = api.post("experiment/", {"expName": "dup2", "unique": "/same"})
    assert response.status_code == 400 and "unique" in response.json()["error"]


def test_readonly_and_unknown_keys_are_ignored(api, db):
    res = factories.result(metrics=False)
    response = api.patch(f"results/{res.pk}/", {"status": "Error", "filesystempath": "/etc", "bogus": 1,
                                                "libmetrics": []})
    assert response.status_code == 202
    res.refresh_from_db()
    assert res.status == "Error" and res.libmetrics.count() == 0


def test_patch_list_updates_and_creates_in_one_request(api, db):
    loc = m.Location.objects.create(name="A")
    response = api.patch("location/", {"objects": [
        {"resource_uri": f"/rundb/api/v1/location/{loc.pk}/", "name": "A2"},
        {"name": "B"},
    ]})
    assert response.status_code == 202
    assert sorted(m.Location.objects.values_list("name", flat=True)) == ["A2", "B"]


def test_m2m_write(api, db, admin):
    res = factories.result(metrics=False)
    p1 = m.Project.objects.create(name="p1", creator=admin[0])
    response = api.patch(f"results/{res.pk}/", {"projects": [f"/rundb/api/v1/project/{p1.pk}/"]})
    assert response.status_code == 202
    assert list(res.projects.values_list("name", flat=True)) == ["p1"]
