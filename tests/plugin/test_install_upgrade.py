"""Upgrades keep the old version archived and the global config; equal/lower versions are refused."""
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import zips  # noqa: F401
from plugin.services.install import PluginInstallError, install_from_zip
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def test_upgrade_archives_old_folder_and_carries_config(zips):
    old = install_from_zip(zips("Foo", version="1.0.0.0", files={"marker.txt": "old"}))
    Plugin.objects.filter(pk=old.pk).update(config={"g": 1}, defaultSelected=True)
    new = install_from_zip(zips("Foo", version="1.1.0.0", files={"marker.txt": "new"}))
    root = Path(settings.ION_PLUGIN_ROOT)
    assert (root / "Foo" / "marker.txt").read_text() == "new"
    archived = root / "archive" / "Foo" / "1.0.0.0"
    assert (archived / "marker.txt").read_text() == "old"
    old.refresh_from_db()
    assert old.active is False and old.path == str(archived)
    assert new.active and new.version == "1.1.0.0"
    assert new.config == {"g": 1}
    assert new.defaultSelected is True
    assert list(Plugin.objects.filter(name="Foo", active=True)) == [new]


@pytest.mark.parametrize("version", ["1.1.0.0", "1.0.9.9", "0.9.0.0"])
def test_equal_or_lower_version_refused_and_install_untouched(zips, version):
    current = install_from_zip(zips("Foo", version="1.1.0.0", files={"marker.txt": "current"}))
    with pytest.raises(PluginInstallError, match=r"Cannot install Foo .*1\.1\.0\.0 is installed"):
        install_from_zip(zips("Foo", version=version, files={"marker.txt": "other"}))
    root = Path(settings.ION_PLUGIN_ROOT)
    assert (root / "Foo" / "marker.txt").read_text() == "current"
    assert not (root / "archive").exists()
    current.refresh_from_db()
    assert current.active and current.path == str(root / "Foo")
    assert list((root / "scratch").iterdir()) == []


def test_numeric_version_order(zips):
    install_from_zip(zips("Foo", version="5.9.0.0"))
    assert install_from_zip(zips("Foo", version="5.10.0.0")).version == "5.10.0.0"


def test_second_upgrade_of_same_old_version_gets_a_free_archive_name(zips):
    install_from_zip(zips("Foo", version="1.0.0.0"))
    install_from_zip(zips("Foo", version="2.0.0.0"))
    Plugin.objects.filter(name="Foo").update(active=False)  # e.g. rows lost; folder still there
    install_from_zip(zips("Foo", version="1.5.0.0"))
    archive = Path(settings.ION_PLUGIN_ROOT) / "archive" / "Foo"
    assert sorted(p.name for p in archive.iterdir()) == ["1.0.0.0", "unregistered"]
