"""PluginCLI flags and exit codes, run as a subprocess like the launch wrapper does."""
import json

import pytest

LAUNCH_BODY = """
def launch(self, data=None):
    open("launched.marker", "w").write("yes")
    mode = os.environ.get("CLI_MODE", "ok")
    if mode == "false":
        self.results = {"should": "not be written"}
        return False
    if mode == "raise":
        raise RuntimeError("boom from launch")
    if mode == "exit3":
        sys.exit(3)
    self.results = {"done": True}
    return True

def block(self, block_id):
    open("block.marker", "w").write(str(block_id))
    return True
"""


@pytest.fixture
def cli_plugin(tmp_path, helpers):
    folder = helpers.write_plugin(tmp_path / "plugins", "CliPlugin", LAUNCH_BODY, version="2.0.0.1")
    results = tmp_path / "report"
    results.mkdir()

    def run(*args, mode="ok"):
        return helpers.run_plugin(folder / "CliPlugin.py", *args, cwd=results, env={"CLI_MODE": mode})

    return run, results


def test_inspect_prints_json_and_does_not_launch(cli_plugin):
    run, results = cli_plugin
    proc = run("--inspect")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["name"] == "CliPlugin" and info["version"] == "2.0.0.1"
    assert info["docs"] == "Test plugin."
    assert not (results / "launched.marker").exists()
    assert json.loads(run("--info").stdout) == info


def test_no_flags_launches_and_exits_zero(cli_plugin):
    run, results = cli_plugin
    proc = run("-vv")
    assert proc.returncode == 0, proc.stderr
    assert (results / "launched.marker").exists()
    assert json.loads((results / "results.json").read_text()) == {"done": True}


def test_launch_returning_false_exits_non_zero(cli_plugin):
    run, results = cli_plugin
    proc = run(mode="false")
    assert proc.returncode == 1
    assert "returned False" in proc.stderr
    assert not (results / "results.json").exists()


def test_launch_raising_prints_traceback_and_exits_non_zero(cli_plugin):
    run, _ = cli_plugin
    proc = run(mode="raise")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: boom from launch" in proc.stderr


def test_sys_exit_in_launch_is_the_exit_status(cli_plugin):
    run, _ = cli_plugin
    assert run(mode="exit3").returncode == 3


@pytest.mark.parametrize("argument, status", [("--dry-run", 0), ("--no-such-flag", 2)])
def test_dry_run_or_unknown_argument_does_not_launch(cli_plugin, argument, status):
    run, results = cli_plugin
    assert run(argument).returncode == status
    assert not (results / "launched.marker").exists()


def test_version_flag(cli_plugin):
    run, _ = cli_plugin
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == "Ion Torrent Plugin - CliPlugin.py v2.0.0.1"


def test_block_runmode(cli_plugin):
    run, results = cli_plugin
    assert run("--runmode", "block", "--block", "X1_Y2").returncode == 0
    assert (results / "block.marker").read_text() == "X1_Y2"
    proc = run("--runmode", "block")
    assert proc.returncode == 2 and "--block" in proc.stderr


def test_bctable_columns_catalogue(cli_plugin):
    run, _ = cli_plugin
    proc = run("--bctable-columns")
    assert proc.returncode == 0
    columns = json.loads(proc.stdout)
    fields = [c["field"] for c in columns if "type" not in c]
    assert fields == sorted(fields) and "selected" in fields and "barcode_name" in fields
    assert {c["type"] for c in columns if "type" in c} == {"custom_checkbox", "custom_input", "custom_dropdown"}


def test_explicit_class_instance_and_name_arguments(tmp_path, helpers):
    for i, arg in enumerate(["Helper", "Helper()", "'Helper'"]):
        source = helpers.plugin_source("Helper", "def launch(self, data=None):\n    return True",
                                       footer=f"if __name__ == '__main__':\n    PluginCLI({arg})\n")
        script = tmp_path / f"Other{i}.py"
        script.write_text(source)
        proc = helpers.run_plugin(script, "--inspect", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["name"] == "Helper"


def test_no_plugin_class_is_an_error(tmp_path, helpers):
    script = tmp_path / "Empty.py"
    script.write_text("from ion.plugin import *\nPluginCLI()\n")
    proc = helpers.run_plugin(script, "--inspect", cwd=tmp_path)
    assert proc.returncode == 1
    assert "No class extending IonPlugin" in proc.stderr
