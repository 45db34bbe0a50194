"""Plugin versions are what authors write ("1.0.0", "2.1-beta"): they install, and upgrades
and the choice of the newest version follow PEP 440 where the versions parse, a tolerant
string order where they do not. Unusable versions are refused with a clear message (400)."""
import json

import pytest

from launch_support import admin_auth, admin_user, fast_hasher, zips  # noqa: F401
from rundb.versions import compare_versions, newest
from plugin.services.install import PluginInstallError, install_from_zip
from plugin.services.runlevels import installed_plugins
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def test_three_part_and_prerelease_versions_install_and_upgrade_in_order(zips):
    first = install_from_zip(zips("Foo", version="1.0.0"))
    assert first.version == "1.0.0" and first.active
    beta = install_from_zip(zips("Foo", version="2.1-beta"))
    assert beta.version == "2.1-beta" and beta.active
    with pytest.raises(PluginInstallError, match="downgrade"):
        install_from_zip(zips("Foo", version="2.1-alpha"))  # 2.1a0 < 2.1b0
    with pytest.raises(PluginInstallError, match="downgrade"):
        install_from_zip(zips("Foo", version="1.10"))
    final = install_from_zip(zips("Foo", version="2.1"))  # the release is above its beta
    assert final.active and final.version == "2.1"
    assert list(Plugin.objects.filter(name="Foo", active=True).values_list("version", flat=True)) == ["2.1"]


def test_versions_packaging_cannot_parse_fall_back_to_a_string_order(zips):
    install_from_zip(zips("Bar", version="1.9-custom"))
    assert install_from_zip(zips("Bar", version="1.10-custom")).version == "1.10-custom"
    with pytest.raises(PluginInstallError, match="reinstall"):
        install_from_zip(zips("Bar", version="1.10-custom"))


def test_newest_enabled_version_is_launched(tmp_path):
    for version in ("2.1-beta", "2.1", "2.0.9", "10.0-rc1"):
        folder = tmp_path / version
        folder.mkdir()
        Plugin.objects.create(name="Multi", version=version, path=str(folder), active=True, selected=True)
    assert installed_plugins(["Multi"])["Multi"].version == "10.0-rc1"
    Plugin.objects.filter(version="10.0-rc1").update(selected=False)
    assert installed_plugins(["Multi"])["Multi"].version == "2.1"
    assert newest(["1.0", "1.0.0.0", "0.9.9", "1.0rc1"], version=str) == "1.0.0.0"


@pytest.mark.parametrize("a, b", [
    ("1.0.0", "1.0.1"), ("2.1-beta", "2.1"), ("2.1a1", "2.1-beta"), ("1.9", "1.10"),
    ("1.0", "1.0.0"), ("build_7", "build_12"), ("abc", "0.1"), ("1.0-custom", "1.0.1-custom"),
])
def test_order(a, b):
    assert compare_versions(a, b) == -1 and compare_versions(b, a) == 1
    assert compare_versions(a, a) == 0


def test_unusable_version_is_a_400(client, admin_auth, zips):
    with open(zips("Baz", version="1.0 beta"), "rb") as fh:
        resp = client.post("/rundb/api/v1/plugin/install/", {"file": fh}, **admin_auth)
    assert resp.status_code == 400, resp.content
    assert "'1.0 beta' is invalid" in json.loads(resp.content)["error"]
    assert not Plugin.objects.filter(name="Baz").exists()
