"""POST /rundb/api/v1/plugin/<pk>/rescan_plugin/: rescan one plugin's folder (the original's
per-plugin rescan): a version changed on disk is registered, a vanished folder deactivates the
row, other folders are left alone. Administrators only; GET changes nothing."""
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import admin_auth, admin_user, fast_hasher, install, plain_user, plugin_py, user_auth, zips  # noqa: F401,E501
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def _url(pk):
    return f"/rundb/api/v1/plugin/{pk}/rescan_plugin/"


def test_a_version_changed_on_disk_is_registered(client, admin_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    hand = Path(settings.ION_PLUGIN_ROOT) / "Hand"  # copied in by hand: not this plugin's business
    hand.mkdir()
    (hand / "Hand.py").write_text(plugin_py("Hand"))
    (Path(foo.path) / "Foo.py").write_text(plugin_py("Foo", version="1.1", doc="Edited in place."))
    resp = client.post(_url(foo.pk), **admin_auth)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"added": ["Foo 1.1"], "updated": [], "deactivated": [], "errors": {}}
    new = Plugin.objects.get(name="Foo", active=True)
    assert new.version == "1.1" and new.description == "Edited in place." and new.path == foo.path
    assert not Plugin.objects.get(pk=foo.pk).active
    assert not Plugin.objects.filter(name="Hand").exists()
    # Rescanning through the old version's id looks at the plugin's folder, not the archive.
    again = client.post(_url(foo.pk), **admin_auth).json()
    assert again["updated"] == ["Foo 1.1"] and again["added"] == []


def test_a_vanished_folder_deactivates_and_a_broken_one_is_reported(client, admin_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    (Path(foo.path) / "Foo.py").write_text("raise SystemExit(4)\n")
    resp = client.post(_url(foo.pk), **admin_auth).json()
    assert "exit status 4" in resp["errors"]["Foo"]
    assert Plugin.objects.get(pk=foo.pk).active  # unchanged
    shutil.rmtree(foo.path)
    resp = client.post(_url(foo.pk), **admin_auth).json()
    assert resp["deactivated"] == ["Foo 1.0"]
    assert not Plugin.objects.get(pk=foo.pk).active


def test_permissions_and_errors(client, admin_auth, user_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    (Path(foo.path) / "Foo.py").write_text(plugin_py("Foo", version="2.0"))
    assert client.post(_url(foo.pk)).status_code == 401
    assert client.post(_url(foo.pk), **user_auth).status_code == 403
    assert client.get(_url(foo.pk), **admin_auth).status_code == 405
    assert list(Plugin.objects.values_list("version", flat=True)) == ["1.0"]
    assert client.post(_url(99999), **admin_auth).status_code == 404
