"""The SDK manual's examples (Quick Start, LogParser, subprocess, barcodes), ported to Python 3,
import, inspect and run against a fake startplugin.json / barcodes.json."""
import importlib.util
import json
import uuid

import pytest
from ion.plugin import IonPlugin

from plugin.introspect import inspect_plugin

EXAMPLES = {
    "MyPlugin": {"runtypes": [], "runlevels": []},
    "LogParser": {"runtypes": ["wholechip", "thumbnail", "composite"], "runlevels": ["default"]},
    "CallSubprocessExample": {"runtypes": ["wholechip", "thumbnail", "composite"], "runlevels": ["default"]},
    "BarcodesExample": {"runtypes": ["wholechip", "thumbnail", "composite"], "runlevels": ["default"]},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_imports_as_a_module(name, data_dir):
    path = data_dir / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the __main__ guard keeps PluginCLI from running
    cls = getattr(module, name)
    assert issubclass(cls, IonPlugin) and cls.name == name


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_inspects(name, copy_example):
    info = inspect_plugin(copy_example(name))
    assert info["name"] == name
    assert info["runtypes"] == EXAMPLES[name]["runtypes"]
    assert info["runlevels"] == EXAMPLES[name]["runlevels"]
    assert info["docs"]
    assert info["script"] == f"{name}.py"


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report" / "plugin_out" / "Example_out.7"
    path.mkdir(parents=True)
    return path


def test_quick_start_runs(copy_example, report, helpers):
    folder = copy_example("MyPlugin")
    helpers.write_startplugin(report, folder)
    proc = helpers.run_plugin(folder / "MyPlugin.py", "-vv", cwd=report)
    assert proc.returncode == 0, proc.stderr
    html = (report / "status_block.html").read_text()
    assert html.startswith("<html><body><pre>") and "startplugin.json" in html


def test_log_parser_runs(copy_example, report, tmp_path, helpers):
    folder = copy_example("LogParser")
    raw = tmp_path / "rawdata"
    raw.mkdir()
    (raw / "explog_final.txt").write_text("Project: proj1\nSample: sampleA\nLibrary: hg19\nNoColonLine\n")
    helpers.write_startplugin(report, folder, raw_data_dir=raw)
    proc = helpers.run_plugin(folder / "LogParser.py", cwd=report)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((report / "results.json").read_text()) == {
        "Project": "proj1", "Sample": "sampleA", "Library": "hg19"}
    assert "Sample is: sampleA" in (report / "LogParser_block.html").read_text()


def test_log_parser_without_explog_fails_with_traceback(copy_example, report, helpers):
    folder = copy_example("LogParser")
    helpers.write_startplugin(report, folder, raw_data_dir=report / "nowhere")
    proc = helpers.run_plugin(folder / "LogParser.py", cwd=report)
    assert proc.returncode == 1
    assert "explog_final.txt missing" in proc.stderr


def test_subprocess_example_runs(copy_example, report, helpers):
    folder = copy_example("CallSubprocessExample")
    helpers.write_startplugin(report, folder)
    proc = helpers.run_plugin(folder / "CallSubprocessExample.py", cwd=report)
    assert proc.returncode == 0, proc.stderr
    lines = (report / "subprocess_output.txt").read_text().splitlines()
    assert lines == ["args=First Argument|Second Argument", f"cwd={folder}"]


def test_barcodes_example_runs(copy_example, report, helpers):
    folder = copy_example("BarcodesExample")
    helpers.write_startplugin(report, folder)
    helpers.write_barcodes(report)
    proc = helpers.run_plugin(folder / "BarcodesExample.py", cwd=report)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Barcode Name: IonXpress_001", "Bam File: IonXpress_001_rawlib.bam",
        "Barcode Name: IonXpress_002", "Bam File: IonXpress_002_rawlib.bam",
    ]
