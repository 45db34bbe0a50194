"""Installing, upgrading, uninstalling and rescanning plugins runs plugin code as the server:
lab users (the ionusers group) may not, administrators (rundb.install_plugin) may."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from launch_support import (admin_auth, admin_user, fast_hasher, install, plain_user, plugin_py,  # noqa: F401
                            user_auth, zips)
from rundb.models import Plugin

pytestmark = pytest.mark.django_db
API = "/rundb/api/v1/plugin/"


def _upload(client, zip_path, auth):
    f = io.BytesIO(Path(zip_path).read_bytes())
    f.name = Path(zip_path).name
    return client.post(API + "install/", {"file": f}, **auth)


def test_ionusers_group_has_no_plugin_admin_rights(plain_user):
    group = Group.objects.get(name="ionusers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert not {"add_plugin", "delete_plugin", "install_plugin"} & codenames
    assert {"change_plugin", "view_plugin", "add_pluginresult"} <= codenames  # they still configure and launch
    assert not plain_user.has_perm("rundb.install_plugin")


def test_lab_user_cannot_install_upgrade_uninstall_or_rescan(client, plain_user, user_auth, zips, tmp_path):
    marker = tmp_path / "ran"
    # Inspecting a plugin imports its module: this one would leave a marker if its code ran.
    evil = zips("Evil", files={}, attrs=f"open({str(marker)!r}, 'w').write('x')")
    resp = _upload(client, evil, user_auth)
    assert resp.status_code == 403 and "rundb.install_plugin" in resp.json()["error"]
    assert not marker.exists() and not Plugin.objects.exists()
    assert not (Path(settings.ION_PLUGIN_ROOT) / "Evil").exists()

    plugin = install(zips("Foo"))
    assert _upload(client, zips("Foo", version="2.0.0.0"), user_auth).status_code == 403  # upgrade
    assert client.delete(f"{API}{plugin.pk}/uninstall/", **user_auth).status_code == 403
    assert client.delete(f"{API}{plugin.pk}/", **user_auth).status_code == 403
    (Path(settings.ION_PLUGIN_ROOT) / "Hand").mkdir()
    (Path(settings.ION_PLUGIN_ROOT) / "Hand" / "Hand.py").write_text(plugin_py("Hand"))
    assert client.post(API + "rescan/", **user_auth).status_code == 403
    plugin.refresh_from_db()
    assert plugin.active and plugin.version == "1.0.0.0"
    assert list(Plugin.objects.values_list("name", flat=True)) == ["Foo"]


def test_administrator_can(client, admin_auth, zips):
    resp = _upload(client, zips("Foo"), admin_auth)
    assert resp.status_code == 201, resp.content
    assert _upload(client, zips("Foo", version="2.0.0.0"), admin_auth).status_code == 201
    pk = Plugin.objects.get(name="Foo", active=True).pk
    assert client.post(API + "rescan/", **admin_auth).status_code == 200
    assert client.delete(f"{API}{pk}/uninstall/", **admin_auth).status_code == 200
    assert not Plugin.objects.filter(active=True).exists()


def test_bootstrap_takes_old_grants_away(db):
    """A site whose ionusers group still holds add/delete_plugin (older version) loses them at the
    next start (bootstrap runs ensure_ionusers_group)."""
    from django.contrib.auth.models import Permission

    from rundb.catalog.bootstrap import ensure_ionusers_group

    group = ensure_ionusers_group()
    group.permissions.add(*Permission.objects.filter(codename__in=["add_plugin", "delete_plugin", "install_plugin"]))
    ensure_ionusers_group()
    codenames = set(Group.objects.get(name="ionusers").permissions.values_list("codename", flat=True))
    assert not {"add_plugin", "delete_plugin", "install_plugin"} & codenames


def test_oversized_upload_is_413(client, admin_auth, zips, settings):
    settings.ION_PLUGIN_MAX_UPLOAD = 200
    resp = _upload(client, zips("Foo", files={"big.txt": "x" * 5000}), admin_auth)
    assert resp.status_code == 413 and "larger" in resp.json()["error"]
    assert not Plugin.objects.exists()
