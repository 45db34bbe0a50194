"""POST /rundb/api/v1/plugin/install/ (multipart `file`), uninstall and rescan over HTTP."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from launch_support import admin_auth, admin_user, basic_auth, fast_hasher, plugin_py, zips  # noqa: F401
from rundb.models import Plugin

pytestmark = pytest.mark.django_db
URL = "/rundb/api/v1/plugin/install/"


def _upload(client, path, auth, name=None):
    with open(path, "rb") as fh:
        data = fh.read()
    f = io.BytesIO(data)
    f.name = name or Path(path).name
    return client.post(URL, {"file": f}, **auth)


def test_upload_installs_and_returns_201(client, admin_auth, zips):
    resp = _upload(client, zips("Foo", version="1.2.0.0"), admin_auth)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    row = Plugin.objects.get(name="Foo")
    assert body["id"] == row.pk and body["name"] == "Foo" and body["version"] == "1.2.0.0"
    assert body["resource_uri"] == f"/rundb/api/v1/plugin/{row.pk}/"
    assert (Path(settings.ION_PLUGIN_ROOT) / "Foo" / "Foo.py").is_file()


def test_upgrade_refusal_over_http(client, admin_auth, zips):
    assert _upload(client, zips("Foo", version="2.0.0.0"), admin_auth).status_code == 201
    resp = _upload(client, zips("Foo", version="1.0.0.0"), admin_auth)
    assert resp.status_code == 400
    assert "downgrade" in resp.json()["error"]


def test_missing_file_field(client, admin_auth):
    resp = client.post(URL, {}, **admin_auth)
    assert resp.status_code == 400 and "file" in resp.json()["error"]


def test_authentication_and_permission(client, admin_user, fast_hasher, zips):
    zp = zips("Foo")
    assert _upload(client, zp, {}).status_code == 401
    get_user_model().objects.create_user("nobody", password="pw")
    resp = _upload(client, zp, basic_auth("nobody", "pw"))
    assert resp.status_code == 403
    assert not Plugin.objects.exists()


def test_uninstall_and_rescan_endpoints(client, admin_auth, zips):
    body = _upload(client, zips("Foo"), admin_auth).json()
    resp = client.delete(f"/rundb/api/v1/plugin/{body['id']}/uninstall/", **admin_auth)
    assert resp.status_code == 200 and resp.json() == {"Status": True}
    assert not Plugin.objects.get(pk=body["id"]).active
    assert client.delete("/rundb/api/v1/plugin/99999/uninstall/", **admin_auth).status_code == 404
    folder = Path(settings.ION_PLUGIN_ROOT) / "Hand"
    folder.mkdir()
    (folder / "Hand.py").write_text(plugin_py("Hand"))
    resp = client.post("/rundb/api/v1/plugin/rescan/", **admin_auth)
    assert resp.status_code == 200 and resp.json()["added"] == ["Hand 1.0.0.0"]


def test_plugin_media_served_safely(client, admin_auth, zips):
    _upload(client, zips("Foo", files={"pluginMedia/css/app.css": "body{color:red}", "secret.txt": "no"}), admin_auth)
    resp = client.get("/pluginMedia/Foo/css/app.css", **admin_auth)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == b"body{color:red}"
    assert resp["Content-Type"].startswith("text/css")
    assert client.get("/pluginMedia/Foo/../secret.txt", **admin_auth).status_code == 404
    assert client.get("/pluginMedia/Foo/%2e%2e/secret.txt", **admin_auth).status_code == 404
    assert client.get("/pluginMedia/Foo/missing.css", **admin_auth).status_code == 404
    assert client.get("/pluginMedia/Nope/app.css", **admin_auth).status_code == 404
    assert client.get("/pluginMedia/Foo/css/app.css").status_code == 401


def test_install_file_already_in_scratch(client, admin_auth, zips):
    import json
    import shutil

    scratch = Path(settings.ION_PLUGIN_ROOT) / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copy(zips("Foo"), scratch / "Foo.zip")
    resp = client.post(URL, json.dumps({"file": "Foo.zip"}), content_type="application/json", **admin_auth)
    assert resp.status_code == 201, resp.content
    assert not (scratch / "Foo.zip").exists()  # the upload is always removed
    for bad in ("../Foo.zip", "missing.zip", ".hidden"):
        r = client.post(URL, json.dumps({"file": bad}), content_type="application/json", **admin_auth)
        assert r.status_code == 400
