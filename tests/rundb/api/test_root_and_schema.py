"""The API root and the per-resource schemas are anonymous; both are plain JSON."""


def test_root_lists_every_resource_without_credentials(anon):
    response = anon.get("/rundb/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert "meta" not in body
    assert body["results"] == {"list_endpoint": "/rundb/api/v1/results/", "schema": "/rundb/api/v1/results/schema/"}
    for name in ("experiment", "plannedexperiment", "PluginResultJob", "compositeexperiment", "torrentsuite",
                 "getsoftwareinfo", "dnabarcode", "rig", "user"):
        assert name in body
    assert list(body) == sorted(body)


def test_schema_is_anonymous_and_describes_fields(anon):
    response = anon.get("/rundb/api/v1/results/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["default_limit"] == 20
    assert schema["allowed_list_http_methods"] == ["get", "post", "put", "patch", "delete"]
    assert schema["fields"]["resultsName"]["type"] == "string"
    assert schema["fields"]["metaData"]["type"] == "string"  # the SDK reference's type for JSON columns
    assert schema["fields"]["pluginState"]["readonly"] is True
    assert schema["filtering"]["resultsName"] == 2  # ALL_WITH_RELATIONS
    assert "filesystempath" not in schema["filtering"]
    assert "timeStamp" in schema["ordering"]


def test_schema_of_an_action_resource(anon):
    schema = anon.get("/rundb/api/v1/torrentsuite/schema/").json()
    assert schema["default_limit"] == 0 and "meta_version" in schema["fields"]
