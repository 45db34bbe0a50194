"""A plugin's server-side locations are read-only through the API: a PUT/PATCH that changes
path, script, name, version or active is 400 and changes nothing (repeating the stored value is
accepted, so GET-modify-PUT clients keep working); plugins cannot be created through the list."""
import pytest

from rundb import models as m

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ionuser(db, client_for):
    return client_for(*factories.user("ionuser", groups=["ionusers"]))


@pytest.mark.parametrize("field,value", [
    ("path", "/tmp/evil"), ("script", "../../bin/sh"), ("name", "other"), ("version", "9.9"), ("active", False),
])
@pytest.mark.parametrize("who", ["api", "ionuser"])
def test_patch_of_server_side_field_is_400(request, who, field, value):
    client = request.getfixturevalue(who)
    plugin = factories.plugin("Foo", path="/results/plugins/Foo", script="launch.sh")
    before = m.Plugin.objects.filter(pk=plugin.pk).values().get()
    resp = client.patch(f"plugin/{plugin.pk}/", {field: value, "selected": True})
    assert resp.status_code == 400, resp.content
    assert "read-only" in str(resp.json()["error"][field])
    assert m.Plugin.objects.filter(pk=plugin.pk).values().get() == before


def test_lab_user_still_configures_plugins(ionuser):
    plugin = factories.plugin("Foo")
    resp = ionuser.patch(f"plugin/{plugin.pk}/", {"selected": True, "config": {"a": 1}})
    assert resp.status_code == 202, resp.content
    plugin.refresh_from_db()
    assert plugin.selected and plugin.config == {"a": 1} and plugin.path == "/results/plugins/Foo"


def test_put_repeating_the_stored_values_is_accepted(api):
    plugin = factories.plugin("Foo")
    body = api.get(f"plugin/{plugin.pk}/").json()
    body["selected"] = True
    resp = api.put(f"plugin/{plugin.pk}/", body)
    assert resp.status_code in (200, 202, 204), resp.content
    plugin.refresh_from_db()
    assert plugin.selected and plugin.path == "/results/plugins/Foo"


def test_no_plugin_rows_through_the_list(api, ionuser):
    for client in (api, ionuser):
        resp = client.post("plugin/", {"name": "X", "version": "1", "path": "/tmp/x"})
        assert resp.status_code == 405
    assert not m.Plugin.objects.exists()
