"""Only the root, the schemas, torrentsuite/version/ and getsoftwareinfo/ are anonymous."""
import pytest
from django.test import Client

from rundb import models as m


def test_version_is_anonymous(db):
    response = Client().get("/rundb/api/v1/torrentsuite/version/")
    assert response.status_code == 200 and response.json()["meta_version"]


def test_softwareinfo_is_anonymous(db):
    m.GlobalConfig.objects.create(name="Config", site_name="Lab 7")
    body = Client().get("/rundb/api/v1/getsoftwareinfo/").json()
    assert body == {"site_name": "Lab 7", "software_release_version": body["software_release_version"],
                    "server_mode": "ruo", "software_platform": "TS"}


def test_torrentsuite_itself_needs_credentials(db, api):
    assert Client().get("/rundb/api/v1/torrentsuite/").status_code == 401
    body = api.get("torrentsuite/").json()
    assert body["locked"] is False and "django" in body["versions"]


def test_torrentsuite_is_read_only(api):
    response = api.put("torrentsuite/", {})
    assert response.status_code == 405 and response["Allow"] == "GET"


@pytest.mark.parametrize("name", ["results", "experiment", "plugin", "pluginresult", "user", "account",
                                  "plannedexperiment", "compositeexperiment", "rig", "globalconfig"])
def test_everything_else_needs_credentials(db, name):
    assert Client().get(f"/rundb/api/v1/{name}/").status_code == 401
