"""prepopulatedplanningsession: POST a prepared plan, get the original's
{"error_message", "id", "cache_key"}; only its creator reads or discards it; it expires."""
import datetime as dt
import uuid

from django.utils import timezone

from rundb import models as m

from . import factories

URL = "prepopulatedplanningsession/"


def test_create_read_delete(api, admin, client_for, db):
    plan = {"planName": "from LIMS", "barcodedSamples": {"s1": {"barcodes": ["IonXpress_001"]}}, "flows": 500}
    response = api.post(URL, plan)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"error_message", "id", "cache_key"} and body["error_message"] == ""
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert body["cache_key"] == f"prepopulated-planning-session-{body['id']}"
    got = api.get(f"{URL}{body['id']}/")
    assert got.status_code == 200
    assert got.json()["data"] == plan and got.json()["cache_key"] == body["cache_key"]
    session = m.PlanningSession.objects.get(pk=body["id"])
    assert session.owner == admin[0] and session.expires > timezone.now() + dt.timedelta(minutes=50)
    # Another user (even one who may plan) cannot see or remove it.
    other = client_for(*factories.user("labuser", groups=["ionusers"]))
    assert other.get(f"{URL}{body['id']}/").status_code == 404
    assert other.delete(f"{URL}{body['id']}/").status_code == 404
    # Its creator can.
    assert api.delete(f"{URL}{body['id']}/").status_code == 204
    assert api.get(f"{URL}{body['id']}/").status_code == 404
    assert not m.PlanningSession.objects.exists()


def test_lab_user_may_create_mesh_and_anonymous_may_not(anon, client_for, db):
    lab = client_for(*factories.user("labuser", groups=["ionusers"]))
    created = lab.post(URL, {"planName": "x"})
    assert created.status_code == 200, created.content
    assert lab.get(f"{URL}{created.json()['id']}/").json()["data"] == {"planName": "x"}
    nobody = client_for(*factories.user("noperm"))
    assert nobody.post(URL, {"planName": "x"}).status_code == 403
    assert anon.post(URL, {"planName": "x"}).status_code == 401
    assert anon.get(f"{URL}{created.json()['id']}/").status_code == 401
    assert m.PlanningSession.objects.count() == 1


def test_sessions_expire_and_are_purged(api, settings, db):
    settings.ION_PLANNING_SESSION_TTL = 60
    old = api.post(URL, {"a": 1}).json()["id"]
    m.PlanningSession.objects.filter(pk=old).update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(f"{URL}{old}/").status_code == 404
    new = api.post(URL, {"b": 2}).json()["id"]
    assert list(m.PlanningSession.objects.values_list("pk", flat=True)) == [uuid.UUID(new)]
    session = m.PlanningSession.objects.get()
    assert dt.timedelta(seconds=55) < session.expires - timezone.now() <= dt.timedelta(seconds=60)


def test_a_user_keeps_a_bounded_number(api, db, monkeypatch):
    from rundb.api.resources import planning_session

    monkeypatch.setattr(planning_session, "MAX_PER_USER", 3)
    ids = [api.post(URL, {"n": n}).json()["id"] for n in range(5)]
    kept = {str(pk) for pk in m.PlanningSession.objects.values_list("pk", flat=True)}
    assert kept == set(ids[-3:])


def test_bad_input(api, db):
    for raw in ("[1, 2]", '"text"', "{bad", "null"):
        response = api.post(URL, raw=raw)
        assert response.status_code == 400, (raw, response.content)
    assert api.post(URL, raw='{"x": "' + "y" * (1024 * 1024) + '"}').status_code == 413
    assert api.get(URL).status_code == 405
    assert api.put(f"{URL}{uuid.uuid4()}/", {}).status_code == 405
    assert api.get(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert api.get(f"{URL}not-a-uuid/").status_code == 404
    assert api.get(f"{URL}not-a-uuid/").json()["error"]
    assert not m.PlanningSession.objects.exists()


def test_listed_in_the_root_with_a_schema(api, anon, db):
    root = anon.get("/rundb/api/v1/").json()
    assert root[URL.rstrip("/")]["list_endpoint"] == f"/rundb/api/v1/{URL}"
    schema = anon.get(f"{URL}schema/").json()
    assert schema["allowed_list_http_methods"] == ["post"]
    assert set(schema["fields"]) == {"error_message", "id", "cache_key"}


def test_responses_match_the_openapi_document(api, db):
    import jsonschema

    from rundb.api.openapi import build

    doc = build()
    base = "/rundb/api/v1/prepopulatedplanningsession/"
    assert set(doc["paths"][base]) == {"post"}
    assert set(doc["paths"][base + "{pk}/"]) - {"parameters"} == {"get", "delete"}

    def check(path, method, code, body):
        schema = doc["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
        jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(body)

    created = api.post(URL, {"planName": "x"})
    check(base, "post", "200", created.json())
    check(base + "{pk}/", "get", "200", api.get(f"{URL}{created.json()['id']}/").json())
    check(base, "post", "400", api.post(URL, raw="[1]").json())


def test_bodies_the_database_cannot_store_are_400(api, db):
    for raw, words in [('{"a": NaN}', "NaN"), ('{"a": 1e400}', "range"), ('{"a": "x\\u0000"}', "NUL"),
                       ('{"\\ud800": 1}', "surrogate"), ('{"a": ' + "[" * 500 + "]" * 500 + "}", "nested")]:
        response = api.post(URL, raw=raw)
        assert response.status_code == 400, (raw[:40], response.content)
        assert words in response.json()["error"]
    assert not m.PlanningSession.objects.exists()
