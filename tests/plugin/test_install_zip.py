"""Installing a plugin zip: folder in place, Plugin row filled from the subprocess inspection."""
import json
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import zips  # noqa: F401
from plugin.services.install import install_from_zip
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def test_install_creates_folder_and_row(zips):
    zp = zips(
        "Foo",
        attrs="""
        runtypes = [RunType.COMPOSITE, RunType.THUMB]
        runlevels = [RunLevel.DEFAULT, RunLevel.LAST]
        depends = ["Bar"]
        features = [Feature.EXPORT]
        major_block = True
        """,
        files={"config.html": "<html/>", "about.html": "<html/>", "pluginMedia/app.css": "body{}"},
    )
    plugin = install_from_zip(zp)
    folder = Path(settings.ION_PLUGIN_ROOT) / "Foo"
    assert plugin.path == str(folder)
    assert (folder / "Foo.py").is_file()
    assert (plugin.name, plugin.version, plugin.active, plugin.selected) == ("Foo", "1.0.0.0", True, True)
    assert plugin.pluginsettings == {
        "features": ["export"], "runtypes": ["composite", "thumbnail"],
        "runlevels": ["default", "last"], "depends": ["Bar"],
    }
    assert plugin.majorBlock is True
    assert (plugin.isConfig, plugin.hasAbout, plugin.isInstance, plugin.isPlanConfig) == (True, True, False, False)
    assert plugin.description == "A tiny test plugin."
    assert plugin.script == "Foo.py"
    assert plugin.metadata["version"] == "1.0.0.0"
    assert Plugin.objects.filter(name="Foo", active=True).count() == 1


def test_scratch_is_empty_after_install(zips):
    install_from_zip(zips("Foo"))
    scratch = Path(settings.ION_PLUGIN_ROOT) / "scratch"
    assert list(scratch.iterdir()) == []


def test_default_global_config_from_pluginconfig_json(zips):
    zp = zips("Foo", files={"pluginconfig.json": json.dumps({"threshold": 3})})
    assert install_from_zip(zp).config == {"threshold": 3}


def test_legacy_launch_sh_plugin(zips):
    zp = zips(
        "Legacy", py=False,
        files={
            "launch.sh": '#!/bin/bash\nVERSION="2.3.4.0"\n#MAJORBLOCK\necho hi > Legacy_block.html\n',
            "pluginsettings.json": json.dumps({"runtype": ["composite"], "depends": ["X"]}),
        },
    )
    plugin = install_from_zip(zp)
    assert (plugin.version, plugin.script, plugin.majorBlock) == ("2.3.4.0", "launch.sh", True)
    assert plugin.pluginsettings["runtypes"] == ["composite"]
    assert plugin.pluginsettings["depends"] == ["X"]


def test_broken_plugin_is_refused_with_its_error(zips):
    from plugin.services.install import PluginInstallError

    zp = zips("Broken", files={"Broken.py": "import does_not_exist_anywhere\n"}, py=False)
    with pytest.raises(PluginInstallError, match="does_not_exist_anywhere"):
        install_from_zip(zp)
    assert not (Path(settings.ION_PLUGIN_ROOT) / "Broken").exists()
    assert not Plugin.objects.filter(name="Broken").exists()
