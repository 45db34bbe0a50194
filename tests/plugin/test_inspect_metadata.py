"""inspect_plugin: metadata discovery in a subprocess, and its validation rules."""
import os
import sys

import pytest

from plugin.introspect import PluginInspectError, capability_flags, inspect_plugin
from rundb.versions import compare_versions

LAUNCH_MARKER = """
def launch(self, data=None):
    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "launched.marker"), "w").close()
    return True
"""


def test_valid_plugin_metadata_and_flags(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Good", LAUNCH_MARKER + """
runtypes = [RunType.FULLCHIP, RunType.COMPOSITE]
runlevels = [RunLevel.PRE, RunLevel.POST]
features = [Feature.EXPORT]
depends = ["Other"]
major_block = True
requires_configuration = True
def getUserInput(self):
    return {"columns": ["a"]}
""", version="5.4.0.1", doc="Good plugin docs.",
        extra_files={"config.html": "<html/>", "about.html": "<html/>"})
    info = inspect_plugin(folder)
    assert info["name"] == "Good" and info["version"] == "5.4.0.1"
    assert info["runtypes"] == ["wholechip", "composite"] and info["runlevels"] == ["pre", "post"]
    assert info["features"] == ["export"] and info["depends"] == ["Other"]
    assert info["major_block"] is True and info["requires_configuration"] is True
    assert info["docs"] == info["description"] == "Good plugin docs."
    assert info["config"] == {"columns": ["a"]}
    assert info["pluginsettings"] == {"features": ["export"], "runtypes": ["wholechip", "composite"],
                                      "runlevels": ["pre", "post"], "depends": ["Other"]}
    assert (info["isConfig"], info["isInstance"], info["isPlanConfig"], info["hasAbout"]) == (True, False, False, True)
    assert info["script"] == "Good.py"
    assert not (folder / "launched.marker").exists()  # --inspect never launches
    assert not list(folder.rglob("__pycache__"))


def test_capability_flags_follow_files(tmp_path):
    (tmp_path / "instance.html").write_text("x")
    (tmp_path / "plan.html").write_text("x")
    assert capability_flags(tmp_path) == {"isConfig": False, "isInstance": True, "isPlanConfig": True, "hasAbout": False}


@pytest.mark.parametrize("version", ["1.0 beta", " 1.0.0.0", "1.0/../x", "..", "-.-", "1.0\t", "9" * 257])
def test_bad_versions_are_refused(version, tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "BadVer", LAUNCH_MARKER, version=version)
    with pytest.raises(PluginInspectError, match="is invalid: it must be at most 256 characters"):
        inspect_plugin(folder)


@pytest.mark.parametrize("version", ["1.0", "abc", "1.0.0.0.0", "1.0.0.x", "v1.0.0.0", "2.1-beta", "1.0.0"])
def test_versions_as_authors_write_them(version, tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "AnyVer", LAUNCH_MARKER, version=version)
    assert inspect_plugin(folder)["version"] == version


def test_lenient_versions_still_need_a_version(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "LaxVer", LAUNCH_MARKER, version="1.0")
    assert inspect_plugin(folder, strict_version=False)["version"] == "1.0"
    folder = helpers.write_plugin(tmp_path, "NoVer", LAUNCH_MARKER, version=None)
    with pytest.raises(PluginInspectError, match="does not declare a version"):
        inspect_plugin(folder, strict_version=False)


@pytest.mark.parametrize("class_name", ["Other", "mismatch", "MISMATCH"])
def test_class_name_must_equal_folder_name(class_name, tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Mismatch", LAUNCH_MARKER, class_name=class_name)
    with pytest.raises(PluginInspectError, match=f"class name '{class_name}' does not match the folder name 'Mismatch'"):
        inspect_plugin(folder)


@pytest.mark.parametrize("attr, value, message", [
    ("runlevels", "['sometimes']", "Unknown runlevels 'sometimes'"),
    ("runtypes", "['fullchip']", "Unknown runtypes 'fullchip'"),
    ("features", "['Export']", "Unknown features 'Export'"),
])
def test_unknown_enumeration_values_are_refused(attr, value, message, tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "BadEnum", f"{attr} = {value}\n" + LAUNCH_MARKER)
    with pytest.raises(PluginInspectError, match=message):
        inspect_plugin(folder)


def test_info_types_are_checked_even_without_the_sdk():
    from plugin.introspect import validate_info

    base = {"name": "Raw", "version": "1.0.0.0"}
    with pytest.raises(PluginInspectError, match="'depends' must be a list of strings"):
        validate_info({**base, "depends": [1]}, "Raw")
    with pytest.raises(PluginInspectError, match="'runlevels' must be a list of strings"):
        validate_info({**base, "runlevels": "default"}, "Raw")
    assert validate_info(base, "Raw")["runtypes"] == []


def test_import_error_reports_exit_status_and_traceback(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Broken", LAUNCH_MARKER, header="import no_such_module_xyz")
    with pytest.raises(PluginInspectError, match="exit status 1") as excinfo:
        inspect_plugin(folder)
    assert "No module named 'no_such_module_xyz'" in str(excinfo.value)


def test_syntax_error_is_reported(tmp_path):
    folder = tmp_path / "Syntax"
    folder.mkdir()
    (folder / "Syntax.py").write_text("class Syntax(:\n")
    with pytest.raises(PluginInspectError, match="SyntaxError"):
        inspect_plugin(folder)


def test_garbage_output_is_refused(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Garbage", LAUNCH_MARKER,
                                  footer="print('hello, not json {')\nsys.exit(0)\n")
    with pytest.raises(PluginInspectError, match="did not print a JSON object; it printed: 'hello, not json {'"):
        inspect_plugin(folder)


def test_silent_plugin_is_refused(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Silent", LAUNCH_MARKER, footer="")
    with pytest.raises(PluginInspectError, match="it printed nothing"):
        inspect_plugin(folder)


def test_stray_prints_before_the_json_are_tolerated(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Chatty", LAUNCH_MARKER, header="print('{ loading...')\nprint('ok')")
    assert inspect_plugin(folder)["name"] == "Chatty"


def test_hanging_plugin_times_out_and_its_processes_die(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Hangs", LAUNCH_MARKER, header="""
import subprocess, time
child = subprocess.Popen(["sleep", "60"])
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pids"), "w").write(f"{os.getpid()} {child.pid}")
time.sleep(60)
""")
    with pytest.raises(PluginInspectError, match="did not finish within 1 s"):
        inspect_plugin(folder, timeout=1)
    for pid in map(int, (folder / "pids").read_text().split()):
        assert _dead(pid), pid


def _dead(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] == "Z"  # a zombie awaiting its reaper
    except FileNotFoundError:
        return True


def test_output_is_capped(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path, "Loud", LAUNCH_MARKER, header="sys.stdout.write('x' * 300000)")
    with pytest.raises(PluginInspectError, match="more than 100000 bytes"):
        inspect_plugin(folder, max_output_bytes=100000)


def test_child_gets_a_minimal_environment(tmp_path, helpers, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgres://secret")
    folder = helpers.write_plugin(tmp_path, "EnvProbe", LAUNCH_MARKER + """
def getUserInput(self):
    return {"secret": os.environ.get("SECRET_KEY"), "db": os.environ.get("DATABASE_URL"),
            "pythonpath": os.environ.get("PYTHONPATH"), "cwd": os.getcwd(), "exe": sys.executable}
""")
    config = inspect_plugin(folder)["config"]
    assert config["secret"] is None and config["db"] is None
    assert config["pythonpath"] == str(helpers.SDK_PATH)
    assert config["cwd"] == str(folder.resolve())
    assert os.path.realpath(config["exe"]) == os.path.realpath(sys.executable)


def test_missing_folder_or_script(tmp_path):
    with pytest.raises(PluginInspectError, match="does not exist"):
        inspect_plugin(tmp_path / "Nope")
    (tmp_path / "Empty").mkdir()
    with pytest.raises(PluginInspectError, match="Neither Empty.py nor launch.sh"):
        inspect_plugin(tmp_path / "Empty")


def test_plugin_code_is_not_imported_into_the_caller(tmp_path, helpers):
    helpers.write_plugin(tmp_path, "NotImported", LAUNCH_MARKER)
    inspect_plugin(tmp_path / "NotImported")
    assert not any("NotImported" in name for name in sys.modules)


@pytest.mark.parametrize("a, b, expected", [
    ("5.4.0.1", "5.4.0.0", 1),
    ("5.10.0.0", "5.9.0.0", 1),
    ("1.0.0.0", "1.0.0.0", 0),
    ("1.0", "1.0.0.0", -1),
    ("1.0.0.1", "1.0.0", 1),
    ("0.0.0-20240101", "1.0.0.0", -1),
    ("1.0.rc1", "1.0.0", -1),
    ("2.1-beta", "2.1", -1),
    ("2.1-beta", "2.0.9", 1),
    ("1.0-custom", "1.1-custom", -1),
    ("abc", "1.0", -1),
])
def test_compare_versions(a, b, expected):
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected
