"""Bad bodies and parameters on the resources added for the SDK reference: 4xx, never 500."""
import pytest

from . import spec_world
from .test_spec_fields import world  # noqa: F401  (fixture)

NEW = [
    "sequencingkitinfo", "activesequencingkitinfo", "librarykitinfo", "ionchefprepkitinfo", "sequencingkitpart",
    "librarykitpart", "analysisargs", "applproduct", "common_cv", "sampleannotation_cv", "sampleattribute",
    "sampleattributedatatype", "sampleprepdata", "emailaddress", "filemonitor", "log", "monitordata",
    "supportupload", "plannedexperiment", "plannedexperimentdb", "availableplannedexperimentsummary",
    "plantemplatesummary",
    "compositedatamanagement", "datamanagementhistory", "clusterinfohistory", "projectresults", "monitorresult",
]
WRONG = {"integer": "many", "float": "x", "boolean": "perhaps", "datetime": "yesterday", "string": {"a": 1},
         "related": "/rundb/api/v1/nosuch/1/", "dict": 5, "list": 5}


@pytest.fixture
def rows(world, admin):  # noqa: F811
    spec_world.populate(admin[0], world)
    return world


@pytest.mark.parametrize("name", NEW)
def test_wrong_types_are_4xx(name, api, rows):
    schema = api.get(f"{name}/schema/").json()
    writable = {f: info["type"] for f, info in schema["fields"].items() if not info["readonly"] and f != "id"}
    body = {f: WRONG.get(kind, {"x": 1}) for f, kind in writable.items()}
    codes = []
    if "post" in schema["allowed_list_http_methods"]:
        codes.append(api.post(f"{name}/", body).status_code)
        codes.append(api.post(f"{name}/", raw="{").status_code)
        codes.append(api.post(f"{name}/", raw="[1, 2]").status_code)
    first = api.get(f"{name}/", {"limit": 1}).json()["objects"]
    if first and first[0].get("resource_uri") and "patch" in schema["allowed_detail_http_methods"]:
        codes.append(api.patch(first[0]["resource_uri"], body).status_code)
    codes.append(api.get(f"{name}/", {"id": "abc"}).status_code)
    codes.append(api.get(f"{name}/", {"order_by": "nosuchfield"}).status_code)
    codes.append(api.get(f"{name}/abc/").status_code)
    assert all(400 <= c < 500 for c in codes), codes
