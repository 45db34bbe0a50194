"""POST /rundb/api/v1/plugin/<pk>/upgrade/: a newer zip of an installed plugin (administrators
only, never a plugin key); an equal or lower version, or another plugin's zip, changes nothing."""
import io
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import (  # noqa: F401
    admin_auth, admin_user, create_report, fast_hasher, install, plain_user, user_auth, zips,
)
from plugin.services.config import scratch_dir
from plugin.services.launch import launch_plugin
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def _url(pk):
    return f"/rundb/api/v1/plugin/{pk}/upgrade/"


def _post_zip(client, pk, path, auth):
    f = io.BytesIO(Path(path).read_bytes())
    f.name = Path(path).name
    return client.post(_url(pk), {"file": f}, **auth)


def _tree():
    root = Path(settings.ION_PLUGIN_ROOT) / "Foo"
    return sorted((p.relative_to(root).as_posix(), p.read_bytes()) for p in root.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


def test_upgrade_installs_the_newer_version_and_keeps_the_old_one(client, admin_auth, zips):
    old = install(zips("Foo", version="1.0.0", files={"marker.txt": "old"}))
    Plugin.objects.filter(pk=old.pk).update(config={"g": 1})
    resp = _post_zip(client, old.pk, zips("Foo", version="1.2.0", files={"marker.txt": "new"}), admin_auth)
    assert resp.status_code == 202, resp.content
    body = resp.json()
    new = Plugin.objects.get(name="Foo", active=True)
    assert body["id"] == new.pk and body["version"] == "1.2.0" and body["previous"] == {"id": old.pk,
                                                                                      "version": "1.0.0"}
    assert (Path(settings.ION_PLUGIN_ROOT) / "Foo" / "marker.txt").read_text() == "new"
    assert (Path(settings.ION_PLUGIN_ROOT) / "archive" / "Foo" / "1.0.0" / "marker.txt").read_text() == "old"
    old.refresh_from_db()
    assert not old.active and new.config == {"g": 1}
    # PEP 440 order: 1.10 is newer than 1.9, a pre-release older than its release.
    assert _post_zip(client, new.pk, zips("Foo", version="1.10"), admin_auth).status_code == 202
    # Any version's id names the plugin; the installed version is the one compared.
    assert _post_zip(client, old.pk, zips("Foo", version="1.10rc1"), admin_auth).status_code == 400
    assert Plugin.objects.get(name="Foo", active=True).version == "1.10"


@pytest.mark.parametrize("version,word", [("2.0.0", "reinstall"), ("1.9", "downgrade"), ("2.0.0b1", "downgrade")])
def test_equal_or_lower_version_is_refused(client, admin_auth, zips, version, word):
    current = install(zips("Foo", version="2.0.0", files={"marker.txt": "current"}))
    before = _tree()
    resp = _post_zip(client, current.pk, zips("Foo", version=version, files={"marker.txt": "other"}), admin_auth)
    assert resp.status_code == 400 and word in resp.json()["error"]
    assert _tree() == before
    assert list(Plugin.objects.filter(active=True)) == [current]
    assert list(scratch_dir().glob(".upload-*")) == []  # the upload is never kept


def test_a_zip_of_another_plugin_is_refused(client, admin_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    resp = _post_zip(client, foo.pk, zips("Bar", version="9.0"), admin_auth)
    assert resp.status_code == 400 and "'Bar', not 'Foo'" in resp.json()["error"]
    assert not Plugin.objects.filter(name="Bar").exists()
    assert not (Path(settings.ION_PLUGIN_ROOT) / "Bar").exists()


def test_upgrade_from_an_uploaded_scratch_file(client, admin_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    scratch = scratch_dir()
    scratch.mkdir(parents=True, exist_ok=True)
    staged = scratch / "Foo-1.1.zip"
    staged.write_bytes(zips("Foo", version="1.1").read_bytes())
    resp = client.post(_url(foo.pk), {"file": "Foo-1.1.zip"}, content_type="application/json", **admin_auth)
    assert resp.status_code == 202 and resp.json()["version"] == "1.1"
    assert not staged.exists()
    resp = client.post(_url(foo.pk), {"file": "../Foo-1.1.zip"}, content_type="application/json", **admin_auth)
    assert resp.status_code == 400


def test_unknown_uninstalled_and_missing_file(client, admin_auth, zips):
    assert _post_zip(client, 99999, zips("Foo"), admin_auth).status_code == 404
    foo = install(zips("Foo", version="1.0"))
    resp = client.post(_url(foo.pk), {}, content_type="application/json", **admin_auth)
    assert resp.status_code == 400 and "file" in resp.json()["error"]
    resp = client.post(_url(foo.pk), "[1]", content_type="application/json", **admin_auth)
    assert resp.status_code == 400
    client.delete(f"/rundb/api/v1/plugin/{foo.pk}/uninstall/", **admin_auth)
    resp = _post_zip(client, foo.pk, zips("Foo", version="2.0"), admin_auth)
    assert resp.status_code == 410 and "plugin/install/" in resp.json()["error"]
    assert not Plugin.objects.filter(active=True).exists()
    assert not Plugin.objects.filter(version="2.0").exists()


def test_only_administrators_and_never_a_plugin_key(client, admin_user, user_auth, zips):
    foo = install(zips("Foo", version="1.0"))
    newer = zips("Foo", version="2.0")
    assert _post_zip(client, foo.pk, newer, {}).status_code == 401
    assert _post_zip(client, foo.pk, newer, user_auth).status_code == 403
    run = launch_plugin(create_report(), foo, user=admin_user)  # a superuser's run: its key still may not
    key = {"HTTP_AUTHORIZATION": f"pluginkey {run.pk}:{run.plain_apikey}"}
    resp = _post_zip(client, foo.pk, newer, key)
    assert resp.status_code == 403 and "plugin key" in resp.json()["error"]
    assert client.get(_url(foo.pk), **user_auth).status_code == 405
    assert list(Plugin.objects.filter(active=True).values_list("version", flat=True)) == ["1.0"]
