"""Global plugin configuration (config.html) round-trips through the API's plugin/<pk>/."""
import json

import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin

pytestmark = pytest.mark.django_db


def test_patch_and_put_config_round_trip(client, admin_user, admin_auth, zips):
    plugin = install(zips("Foo"))
    url = f"/rundb/api/v1/plugin/{plugin.pk}/"
    resp = client.patch(url, json.dumps({"config": {"threshold": 5, "names": ["a", "b"]}}),
                        content_type="application/json", **admin_auth)
    assert resp.status_code in (200, 202, 204), resp.content
    assert client.get(url, **admin_auth).json()["config"] == {"threshold": 5, "names": ["a", "b"]}
    full = client.get(url, **admin_auth).json()
    full["config"] = {"threshold": 7}
    resp = client.put(url, json.dumps(full), content_type="application/json", **admin_auth)
    assert resp.status_code in (200, 202, 204), resp.content
    plugin.refresh_from_db()
    assert plugin.config == {"threshold": 7}
    assert plugin.active and plugin.path  # the rest of the row survives a PUT
    pr = launch_plugin(create_report(), plugin, user=admin_user)
    assert pr.launched_jobs[0].config == {"threshold": 7}
