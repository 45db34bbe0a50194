"""/rundb/api/v1/openapi.json: generated from the code, valid OpenAPI 3.1, anonymous like the
schemas, linked from the API root, and browsable offline at /rundb/api/v1/docs/."""
import re

from openapi_spec_validator import validate

from rundb.api import openapi
from rundb.api.api import v1_api

DOC = "/rundb/api/v1/openapi.json"


def test_document_is_valid_openapi_31_and_anonymous(anon, db):
    response = anon.get(DOC)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    doc = response.json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_registered_resource_and_its_methods_are_documented(db):
    doc = openapi.build()
    for name, res in v1_api._registry.items():
        base = f"/rundb/api/v1/{name}/"
        assert f"{base}schema/" in doc["paths"], name
        listed = {m for m in doc["paths"].get(base, {}) if m != "parameters"}
        assert listed == set(res._meta.list_allowed_methods), (name, listed)
        detail = {m for m in doc["paths"].get(f"{base}{{pk}}/", {}) if m != "parameters"}
        assert detail == set(getattr(res._meta, "detail_allowed_methods", []) if base + "{pk}/" in doc["paths"]
                             else []), (name, detail)


def test_fields_filters_and_orderings_follow_the_resource(db):
    doc = openapi.build()
    results = doc["components"]["schemas"]["ResultsResource"]["properties"]
    assert results["resultsName"]["type"] == "string"
    assert results["metaData"]["type"] == "object"  # JSON column: nested, whatever schema/ calls it
    assert results["pluginState"]["readOnly"] is True
    params = {p["name"]: p for p in doc["paths"]["/rundb/api/v1/results/"]["get"]["parameters"]}
    assert {"limit", "offset", "order_by", "resultsName", "experiment"} <= set(params)
    assert "-timeStamp" in params["order_by"]["schema"]["enum"]
    assert "filesystempath" not in params  # computed: not filterable
    post = doc["paths"]["/rundb/api/v1/referencegenome/"]["post"]["requestBody"]["content"]["application/json"]
    assert set(post["schema"]["required"]) == {"name", "short_name"}
    plan = doc["components"]["schemas"]["PlannedExperimentResource"]["properties"]
    assert plan["childPlans"]["type"] in ("array", ["array", "null"]) and plan["chefInfo"]["type"] == "object"


def test_security_schemes_and_anonymous_operations(db):
    doc = openapi.build()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "Authorization",
                                 "description": "Authorization: ApiKey <username>:<key>"}
    assert schemes["Basic"]["scheme"] == "basic"
    anonymous = {path for path, item in doc["paths"].items()
                 if any({} in op.get("security", doc["security"]) for m, op in item.items() if m != "parameters")}
    assert anonymous == {
        "/rundb/api/v1/", DOC, "/rundb/api/v1/docs/", "/rundb/api/v1/docs/assets/{name}",
        "/rundb/api/v1/getsoftwareinfo/", "/rundb/api/v1/torrentsuite/version/",
        *{f"/rundb/api/v1/{name}/schema/" for name in v1_api._registry},
    }


def test_plain_views_are_documented_from_their_declarations(db):
    doc = openapi.build()
    launch = doc["paths"]["/rundb/api/v1/results/{pk}/plugin/"]
    assert launch["parameters"][0]["schema"]["type"] == "integer"
    body = launch["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["plugin"]
    assert "202" in launch["post"]["responses"]
    assert "post" in doc["paths"]["/rundb/api/v1/experiment/{pk}/reanalyze/"]
    extend = doc["paths"]["/rundb/api/v1/plugin/{ident}/extend/{function}/"]
    assert {p["name"] for p in extend["parameters"]} == {"ident", "function"}


def test_declarations_name_existing_routes():
    # A shape entry whose URL name has gone would silently document nothing: fail instead.
    import pipeline.api.shapes
    import plugin.api.shapes

    names = {name for _path, _params, _view, name in openapi.iter_routes()}
    for module in (plugin.api.shapes, pipeline.api.shapes):
        stale = set(module.SHAPES) - names
        assert not stale, (module.__name__, stale)


def test_every_api_route_is_documented():
    doc = openapi.build()
    templated = {re.sub(r"\{[^}]+\}", "{}", p) for p in doc["paths"]}
    for path, _params, view, name in openapi.iter_routes():
        path = "/" + path.lstrip("/")
        if path.startswith("/rundb/api/v1/") and name not in openapi.TASTYPIE_ROUTES:
            assert re.sub(r"\{[^}]+\}", "{}", path) in templated, (path, name)


def test_root_links_the_document_keeping_its_shape(anon, db):
    root = anon.get("/rundb/api/v1/").json()
    assert root["openapi"] == {"list_endpoint": DOC, "schema": DOC, "docs": "/rundb/api/v1/docs/"}
    assert all({"list_endpoint", "schema"} <= set(entry) for entry in root.values())
    assert list(root) == sorted(root)


def test_docs_page_works_offline(anon, db):
    page = anon.get("/rundb/api/v1/docs/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "//" not in re.sub(r'https?://|"//', "", "".join(re.findall(r'(?:src|href)="([^"]+)"', html)))
    assert DOC in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/rundb/api/v1/docs/assets/"), src
        asset = anon.client.get(src)
        assert asset.status_code == 200, src
        assert b"".join(asset.streaming_content), src
    assert anon.client.get("/rundb/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    assert anon.client.get("/rundb/api/v1/docs/assets/nosuch.js").status_code == 404


def test_document_and_page_are_read_only(api, db):
    assert api.post(DOC, {}).status_code == 405
    assert api.post("/rundb/api/v1/docs/", {}).status_code == 405


def test_views_carry_their_permission():
    from rundb.api import openapi_views

    for view in (openapi_views.openapi_json, openapi_views.docs, openapi_views.docs_asset):
        assert view.ion_permission == "anonymous"


def test_document_is_built_once(db):
    assert openapi.document() is openapi.document()
