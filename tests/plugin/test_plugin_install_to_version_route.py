"""POST /rundb/api/v1/plugin/<pk>/<version>/install_to_version/: install a version again from the
copy an upgrade kept under archive/<Name>/ (older ones too, as the original allows); the
installed folder is archived in turn, so going forward again works the same way."""
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import admin_auth, admin_user, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from plugin.services.install import uninstall
from rundb.models import Plugin

pytestmark = pytest.mark.django_db
ROOT = lambda: Path(settings.ION_PLUGIN_ROOT)  # noqa: E731


def _url(pk, version):
    return f"/rundb/api/v1/plugin/{pk}/{version}/install_to_version/"


@pytest.fixture
def two_versions(zips):
    old = install(zips("Foo", version="1.0", files={"marker.txt": "one"}))
    new = install(zips("Foo", version="2.0", files={"marker.txt": "two"}))
    Plugin.objects.filter(pk=new.pk).update(config={"g": 2}, defaultSelected=True)
    return old, new


def test_back_to_the_archived_version_and_forward_again(client, admin_auth, two_versions):
    old, new = two_versions
    resp = client.post(_url(new.pk, "1.0"), **admin_auth)
    assert resp.status_code == 202, resp.content
    body = resp.json()
    assert body["id"] == old.pk and body["version"] == "1.0" and body["previous"] == {"id": new.pk, "version": "2.0"}
    assert (ROOT() / "Foo" / "marker.txt").read_text() == "one"
    assert (ROOT() / "archive" / "Foo" / "2.0" / "marker.txt").read_text() == "two"
    old.refresh_from_db(), new.refresh_from_db()
    assert old.active and old.path == str(ROOT() / "Foo") and old.config == {"g": 2} and old.defaultSelected
    assert not new.active and new.path == str(ROOT() / "archive" / "Foo" / "2.0")
    assert not (ROOT() / "archive" / "Foo" / "1.0").exists()
    history = client.get(f"/rundb/api/v1/plugin/{old.pk}/lineage/", **admin_auth).json()
    assert [(v["version"], v["current"], v["archived"]) for v in history["versions"]] == [
        ("2.0", False, True), ("1.0", True, False)]
    forward = client.post(_url(old.pk, "2.0"), **admin_auth)
    assert forward.status_code == 202 and forward.json()["version"] == "2.0"
    assert (ROOT() / "Foo" / "marker.txt").read_text() == "two"
    assert list(Plugin.objects.filter(active=True).values_list("version", flat=True)) == ["2.0"]


def test_after_an_uninstall_the_kept_copy_installs(client, admin_auth, two_versions):
    old, new = two_versions
    uninstall(new)
    resp = client.post(_url(new.pk, "1.0"), **admin_auth)
    assert resp.status_code == 202 and resp.json()["previous"] is None
    assert (ROOT() / "Foo" / "marker.txt").read_text() == "one"


def test_refusals_change_nothing(client, admin_auth, user_auth, two_versions):
    old, new = two_versions
    before = list(Plugin.objects.order_by("pk").values())
    checks = [
        (_url(new.pk, "2.0"), admin_auth, 409),    # already installed
        (_url(new.pk, "3.0"), admin_auth, 404),    # never had it
        (_url(99999, "1.0"), admin_auth, 404),
        (_url(new.pk, "1.0"), user_auth, 403),
        (_url(new.pk, "1.0"), {}, 401),
    ]
    for url, auth, status in checks:
        resp = client.post(url, **auth)
        assert resp.status_code == status, (url, resp.status_code, resp.content)
    assert client.get(_url(new.pk, "1.0"), **admin_auth).status_code == 405
    Plugin.objects.create(name="Foo", version="0.5", active=False, path="")  # a row without a kept copy
    assert client.post(_url(new.pk, "0.5"), **admin_auth).status_code == 410
    assert list(Plugin.objects.exclude(version="0.5").order_by("pk").values()) == before
    assert (ROOT() / "Foo" / "marker.txt").read_text() == "two"
