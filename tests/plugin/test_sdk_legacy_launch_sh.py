"""Metadata of legacy launch.sh plugins (read from text; nothing executed)."""
import json
import re

import pytest
from ion.plugin.info import plugin_info
from ion.plugin.launchcompat import make_launch_plugin_class, read_version

from plugin.introspect import find_plugin_script, inspect_plugin


def _legacy(tmp_path, name, script, settings=None):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "launch.sh").write_text(script)
    if settings is not None:
        (folder / "pluginsettings.json").write_text(settings)
    return folder


def test_version_majorblock_and_settings(tmp_path):
    folder = _legacy(tmp_path, "LegacyA", '#!/bin/bash\n#MAJORBLOCK\nVERSION="2.3.4"\necho hi\n',
                     json.dumps({"runtype": ["composite"], "depends": ["X"]}))
    info = plugin_info(make_launch_plugin_class(folder / "launch.sh"))
    assert info["name"] == "LegacyA" and info["version"] == "2.3.4"
    assert info["major_block"] is True
    assert info["runtypes"] == ["composite"] and info["depends"] == ["X"]
    assert info["runlevels"] == [] and info["features"] == []
    assert info["docs"] == "" and info["config"] is None


def test_plural_keys_and_missing_keys(tmp_path):
    folder = _legacy(tmp_path, "LegacyB", "VERSION='5.18.0.0'\n#MAJOR_BLOCK\n",
                     json.dumps({"runlevels": ["last"], "feature": "export"}))
    info = plugin_info(make_launch_plugin_class(folder / "launch.sh"))
    assert info["version"] == "5.18.0.0" and info["major_block"] is True
    assert info["runlevels"] == ["last"] and info["features"] == ["export"] and info["runtypes"] == []


@pytest.mark.parametrize("settings_text", [None, "", "{}"])
def test_missing_or_empty_settings_give_defaults(tmp_path, settings_text):
    folder = _legacy(tmp_path, "LegacyC", "echo no version\n", settings_text)
    info = plugin_info(make_launch_plugin_class(folder / "launch.sh"))
    assert info["version"] == "0" and info["major_block"] is False
    assert info["runtypes"] == ["wholechip", "thumbnail"] and info["runlevels"] == []


def test_invalid_settings_json_is_an_error(tmp_path):
    folder = _legacy(tmp_path, "LegacyD", "VERSION=1\n", "{oops")
    with pytest.raises(ValueError, match="pluginsettings.json is not valid JSON"):
        make_launch_plugin_class(folder / "launch.sh")


def test_version_regex_first_match_and_no_partial_names():
    assert read_version('# VERSION=0.1\nVERSION="0.2"\n') == "0.1"
    assert read_version("PLUGIN_VERSION=9\n") == "0"
    assert read_version("VERSION = 1.2-beta_3\n") == "1.2-beta_3"


def test_non_identifier_folder_gets_hashed_class_name(tmp_path):
    folder = _legacy(tmp_path, "my-plugin", 'VERSION="1.0.0.0"\n')
    cls = make_launch_plugin_class(folder / "launch.sh")
    assert re.fullmatch(r"P[0-9a-f]{32}", cls.__name__)
    assert plugin_info(cls)["name"] == "my-plugin"


def test_inspect_plugin_handles_launch_sh(copy_example):
    folder = copy_example("LegacyShell")
    info = inspect_plugin(folder)
    assert info["script"] == "launch.sh" and info["version"] == "2.3.4.0"
    assert info["major_block"] is True and info["pluginsettings"] == {
        "features": [], "runtypes": ["composite"], "runlevels": [], "depends": ["X"]}


def test_inspect_plugin_legacy_version_as_written(tmp_path):
    folder = _legacy(tmp_path, "LegacyE", 'VERSION="2.3.4"\n')
    assert inspect_plugin(folder)["version"] == "2.3.4"
    assert inspect_plugin(folder, strict_version=False)["version"] == "2.3.4"


def test_python_file_wins_over_launch_sh(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Both", "def launch(self, data=None):\n    return True")
    (folder / "launch.sh").write_text('VERSION="9.9.9.9"\n')
    assert find_plugin_script(folder).name == "Both.py"
    assert inspect_plugin(folder)["version"] == "1.0.0.0"
    (folder / "Both.py").unlink()
    assert find_plugin_script(folder).name == "launch.sh"
    (folder / "launch.sh").unlink()
    assert find_plugin_script(folder) is None
