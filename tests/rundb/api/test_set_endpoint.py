"""``<resource>/set/<id>;<id>/`` returns the found objects in request order plus not_found."""
from . import factories


def test_set_returns_objects_in_order_and_lists_missing(api, db):
    a, b = factories.result(metrics=False), factories.result(metrics=False)
    body = api.get(f"results/set/{b.pk};{a.pk};999999/").json()
    assert [o["id"] for o in body["objects"]] == [b.pk, a.pk]
    assert body["not_found"] == ["999999"]


def test_set_without_missing_ids_has_no_not_found(api, db):
    a = factories.result(metrics=False)
    body = api.get(f"results/set/{a.pk}/").json()
    assert "not_found" not in body and len(body["objects"]) == 1


def test_set_with_non_numeric_ids_reports_them_missing(api, db):
    a = factories.result(metrics=False)
    body = api.get(f"results/set/abc;{a.pk}/").json()
    assert body["not_found"] == ["abc"] and body["objects"][0]["id"] == a.pk


def test_set_on_a_string_key_resource(api, db):
    from rundb import models as m

    loc = m.Location.objects.create(name="Home")
    m.Rig.objects.create(name="S16", location=loc)
    body = api.get("rig/set/S16;nope/").json()
    assert body["objects"][0]["resource_uri"] == "/rundb/api/v1/rig/S16/"
    assert body["not_found"] == ["nope"]
