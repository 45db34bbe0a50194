"""startplugin.json has every section and key of the SDK manual's example."""
import json
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from sdk_docs import startplugin_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(admin_user, zips):
    plugin = install(zips("Foo"))
    pr = launch_plugin(create_report(), plugin, user=admin_user, pluginconfig={"k": "v"})
    return json.loads((Path(pr.launched_jobs[0].work_dir) / "startplugin.json").read_text())


def test_sdk_example_parses(plugin_files_doc):
    example = startplugin_example(plugin_files_doc)
    assert {"runinfo", "runplugin", "expmeta", "plan"} <= set(example)


def test_every_documented_section_present(plugin_files_doc, start):
    example = startplugin_example(plugin_files_doc)
    missing = set(example) - set(start)
    assert not missing
    assert "chefSummary" in start


@pytest.mark.parametrize("section", ["runinfo", "runplugin", "expmeta", "plan", "globalconfig", "datamanagement"])
def test_every_documented_key_present(plugin_files_doc, start, section):
    documented = set(startplugin_example(plugin_files_doc)[section])
    assert documented - set(start[section]) == set()


def test_plugin_dict_keys(plugin_files_doc, start):
    documented = set(startplugin_example(plugin_files_doc)["runinfo"]["plugin"])
    assert documented - set(start["runinfo"]["plugin"]) == set()


def test_sampleinfo_entry_keys(plugin_files_doc, start):
    example = startplugin_example(plugin_files_doc)["sampleinfo"]
    documented = set(next(iter(example.values())))
    assert start["sampleinfo"], "the report's experiment has a sample"
    for entry in start["sampleinfo"].values():
        assert documented - set(entry) == set()


def test_json_types_match_the_example(plugin_files_doc, start):
    example = startplugin_example(plugin_files_doc)
    for section in ("runinfo", "runplugin", "globalconfig", "datamanagement"):
        for key, value in example[section].items():
            if value is None or start[section][key] is None:
                continue
            assert type(start[section][key]) is type(value), f"{section}.{key}"
