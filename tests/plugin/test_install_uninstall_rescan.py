"""Uninstall keeps the row (inactive) and removes the folder; rescan follows the disk."""
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import plugin_py, zips  # noqa: F401
from plugin.services.install import install_from_zip, rescan, uninstall
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def test_uninstall_deactivates_and_deletes_folder(zips):
    plugin = install_from_zip(zips("Foo"))
    folder = Path(plugin.path)
    uninstall(plugin)
    plugin.refresh_from_db()
    assert plugin.active is False and plugin.path == ""
    assert not folder.exists()
    assert Plugin.objects.filter(pk=plugin.pk).exists()


def test_reinstall_after_uninstall_same_version(zips):
    plugin = install_from_zip(zips("Foo"))
    Plugin.objects.filter(pk=plugin.pk).update(config={"kept": True})
    uninstall(plugin)
    again = install_from_zip(zips("Foo"))
    assert again.pk == plugin.pk and again.active and again.config == {"kept": True}


def test_rescan_registers_hand_copied_folder():
    folder = Path(settings.ION_PLUGIN_ROOT) / "Hand"
    folder.mkdir(parents=True)
    (folder / "Hand.py").write_text(plugin_py("Hand", version="3.0.0.0"))
    (folder / "instance.html").write_text("<html/>")
    summary = rescan()
    assert summary["added"] == ["Hand 3.0.0.0"]
    row = Plugin.objects.get(name="Hand")
    assert row.active and row.selected and row.path == str(folder) and row.isInstance
    assert rescan()["updated"] == ["Hand 3.0.0.0"]
    assert Plugin.objects.filter(name="Hand").count() == 1


def test_rescan_deactivates_vanished_folder(zips):
    plugin = install_from_zip(zips("Foo"))
    shutil.rmtree(plugin.path)
    summary = rescan()
    assert summary["deactivated"] == ["Foo 1.0.0.0"]
    plugin.refresh_from_db()
    assert plugin.active is False


def test_rescan_reports_broken_folder_and_ignores_reserved():
    root = Path(settings.ION_PLUGIN_ROOT)
    (root / "Bad").mkdir(parents=True)
    (root / "Bad" / "Bad.py").write_text("raise SystemExit(3)\n")
    (root / "scratch").mkdir()
    (root / "archive" / "Old").mkdir(parents=True)
    summary = rescan()
    assert list(summary["errors"]) == ["Bad"]
    assert not Plugin.objects.exists()


def test_rescan_picks_up_in_place_upgrade(zips):
    old = install_from_zip(zips("Foo", version="1.0.0.0"))
    Plugin.objects.filter(pk=old.pk).update(config={"g": 2})
    Path(old.path, "Foo.py").write_text(plugin_py("Foo", version="1.2.0.0"))
    summary = rescan()
    assert summary["added"] == ["Foo 1.2.0.0"]
    new = Plugin.objects.get(name="Foo", active=True)
    assert new.version == "1.2.0.0" and new.config == {"g": 2}
    old.refresh_from_db()
    assert old.active is False
