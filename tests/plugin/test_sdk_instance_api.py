"""IonPlugin instance API: lazy startplugin/barcodes, configuration, validation, launch_wrapper."""
import json

import pytest
from ion.plugin import IonPlugin


class ApiPlugin(IonPlugin):
    """Instance API subject."""
    version = "1.0.0.0"
    calls = []

    def launch(self, data=None):
        ApiPlugin.calls.append(data)
        self.results = {"value": 42}
        return True


class ApiFailing(IonPlugin):
    """Returns False."""
    version = "1.0.0.0"
    results = {"never": "written"}

    def launch(self, data=None):
        return False


class ApiDeclines(IonPlugin):
    """pre_launch says no."""
    version = "1.0.0.0"

    def pre_launch(self):
        return False

    def launch(self, data=None):
        raise AssertionError("must not run")


class ApiNeedsConfig(IonPlugin):
    """Requires configuration."""
    version = "1.0.0.0"
    requires_configuration = True

    def custom_validation(self, configuration, run_mode):
        return [f"bad path ({run_mode})"] if configuration.get("path") == "bad" else []


def test_init_sets_documented_defaults():
    p = ApiPlugin()
    assert p.context == {} and p.data == {} and p.blockcount == 0 and p.exit_status == -1
    assert p.plugin is None and p.analysis is None and p.pluginresult is None
    assert p.log.name.endswith("ApiPlugin")


def test_startplugin_loaded_lazily_from_cwd(tmp_path, monkeypatch, helpers):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RESULTS_DIR", raising=False)
    p = ApiPlugin()  # no file yet: construction must not read it
    helpers.write_startplugin(tmp_path, tmp_path / "ApiPlugin")
    assert p.startplugin["runinfo"]["pluginresult"] == 7
    assert p.runinfo["api_key"] == "k" * 40
    assert p.plugin_parameters["name"] == "ApiPlugin"
    (tmp_path / "startplugin.json").write_text("{}")
    assert p.startplugin["runinfo"]["pk"] == 3  # cached


def test_startplugin_falls_back_to_results_dir(tmp_path, monkeypatch, helpers):
    results = tmp_path / "report"
    helpers.write_startplugin(results, tmp_path / "ApiPlugin")
    helpers.write_barcodes(results)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("RESULTS_DIR", str(results))
    p = ApiPlugin()
    assert p.startplugin["runinfo"]["results_dir"] == str(results)
    assert set(p.barcodes) == {"IonXpress_001", "IonXpress_002"}


def test_missing_startplugin_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RESULTS_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="startplugin.json not found"):
        ApiPlugin().startplugin
    with pytest.raises(FileNotFoundError, match="barcodes.json not found"):
        ApiPlugin().barcodes


def test_invalid_startplugin_json_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "startplugin.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        ApiPlugin().startplugin


def test_configuration_is_the_effective_config(tmp_path, monkeypatch, helpers):
    monkeypatch.chdir(tmp_path)
    helpers.write_startplugin(tmp_path, tmp_path / "ApiPlugin")
    assert ApiPlugin().configuration == {"scope": "effective"}
    p = ApiPlugin()
    p.startplugin = {"runinfo": {"plugin": {"pluginconfig": {"scope": "global"}}}}
    assert p.configuration == {"scope": "global"}


def test_validate_requires_configuration_then_custom_messages():
    p = ApiNeedsConfig()
    assert p.validate({}, "manual") == ["ApiNeedsConfig requires configuration before execution."]
    assert p.validate({"path": "bad"}, "pipeline") == ["bad path (pipeline)"]
    assert p.validate({"path": "good"}, "manual") == []
    assert ApiPlugin().validate({}, "manual") == []


def test_launch_wrapper_dry_run_does_not_launch(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    ApiPlugin.calls.clear()
    assert ApiPlugin().launch_wrapper(dry_run=True) is True
    assert ApiPlugin.calls == []
    assert list(work.iterdir()) == []


def test_launch_wrapper_success_writes_output_and_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ApiPlugin.calls.clear()
    assert ApiPlugin().launch_wrapper(data={"a": 1}, dry_run=False) is True
    assert ApiPlugin.calls == [{"a": 1}]
    assert json.loads((tmp_path / "results.json").read_text()) == {"value": 42}
    assert not (tmp_path / "output.json").exists()  # empty output dict is not written


def test_launch_wrapper_failure_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ApiFailing().launch_wrapper(dry_run=False) is False
    assert not (tmp_path / "results.json").exists()


def test_pre_launch_false_skips_launch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ApiDeclines().launch_wrapper(dry_run=False) is None


def test_barcode_table_hooks_defaults():
    p = ApiPlugin()
    assert p.barcodetable_columns() == []
    rows = [{"barcode_name": "IonXpress_001"}]
    assert p.barcodetable_data(rows, planconfig={}, globalconfig={}) is rows
    assert p.getUserInput() is None
    assert p.pre_block("0") is False and p.post_block() is True
