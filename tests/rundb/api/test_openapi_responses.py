"""What the server returns validates against the generated OpenAPI document: for every resource,
a list page and one detail (jsonschema, Draft 2020-12 as OpenAPI 3.1 uses)."""
import jsonschema
import pytest

from rundb.api.api import v1_api
from rundb.api.openapi import build

from . import spec_world


@pytest.fixture
def world(db, api, admin, catalog):
    return spec_world.base(api, admin[0], meta_data={"a": 1})


def _validator(doc, path, method, code):
    schema = doc["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": doc["components"]})


def _problems(validator, body, where):
    return [f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in validator.iter_errors(body)]


def test_every_list_and_detail_validates(api, world):
    doc = build()
    problems, checked = [], []
    for path, item in doc["paths"].items():
        if path[len("/rundb/api/v1/"):].rstrip("/") not in v1_api._registry or "get" not in item:
            continue  # (a POST-only action such as prepopulatedplanningsession: checked in its test)
        response = api.get(path)
        if response.status_code != 200:
            # e.g. ionreporter/: 400 "not configured" - fine when the document says so
            status = str(response.status_code)
            if status in item["get"]["responses"]:
                problems += _problems(_validator(doc, path, "get", status), response.json(), f"GET {path}")
            else:
                problems.append(f"GET {path}: {response.status_code}, not in the document")
            continue
        body = response.json()
        problems += _problems(_validator(doc, path, "get", "200"), body, f"GET {path}")
        checked.append(path)
        detail = path + "{pk}/"
        objects = body.get("objects") if isinstance(body, dict) else None
        if detail not in doc["paths"] or not objects:
            continue
        uri = objects[0].get("resource_uri") or f"{path}{objects[0].get('id')}/"
        one = api.get(uri)
        assert one.status_code == 200, (uri, one.content[:200])
        problems += _problems(_validator(doc, detail, "get", "200"), one.json(), f"GET {uri}")
        one_set = api.get(f"{path}set/{objects[0].get('id')};999999/")
        if f"{path}set/{{pk_list}}/" in doc["paths"] and "id" in objects[0]:
            problems += _problems(_validator(doc, f"{path}set/{{pk_list}}/", "get", "200"), one_set.json(),
                                  f"GET {path}set/")
        schema = api.get(f"{path}schema/")
        problems += _problems(_validator(doc, f"{path}schema/", "get", "200"), schema.json(), f"GET {path}schema/")
    assert len(checked) >= 40, checked
    assert not problems, "\n".join(problems)


def test_root_and_error_bodies_validate(anon, api, db):
    doc = build()
    root = anon.get("/rundb/api/v1/")
    assert not _problems(_validator(doc, "/rundb/api/v1/", "get", "200"), root.json(), "root")
    missing = api.get("/rundb/api/v1/results/999999/")
    assert missing.status_code == 404
    assert not _problems(_validator(doc, "/rundb/api/v1/results/{pk}/", "get", "404"), missing.json(), "404")
    bad = api.get("/rundb/api/v1/results/", {"limit": "x"})
    assert bad.status_code == 400
    assert not _problems(_validator(doc, "/rundb/api/v1/results/", "get", "400"), bad.json(), "400")


def test_the_check_catches_a_wrong_body(api, world):
    doc = build()
    body = api.get(f"/rundb/api/v1/results/{world.pk}/").json()
    validator = _validator(doc, "/rundb/api/v1/results/{pk}/", "get", "200")
    assert not _problems(validator, body, "results")
    assert _problems(validator, {**body, "resultsName": 5}, "results")
    exp = api.get(body["experiment"]).json()
    exp_validator = _validator(doc, "/rundb/api/v1/experiment/{pk}/", "get", "200")
    assert not _problems(exp_validator, exp, "experiment")
    assert _problems(exp_validator, {k: v for k, v in exp.items() if k != "expName"}, "experiment")
    assert _problems(validator, {**body, "metaData": "text"}, "results")
    assert _problems(validator, {**body, "experiment": {"id": 1}}, "results")
