"""Which configuration a run gets (SDK manual): manual = instance > global; pipeline = plan >
global; then the plugin's pluginconfig.json; no merging."""
import json
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.config import effective_config
from plugin.services.launch import launch_plugin
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


@pytest.fixture
def plugin(zips):
    p = install(zips("Foo", files={"pluginconfig.json": json.dumps({"from": "file"})}))
    p.config = {"from": "global"}
    p.save()
    return p


def test_manual(plugin):
    assert effective_config(plugin, run_mode="manual", instance_config={"from": "instance"}) == ({"from": "instance"}, "instance")
    assert effective_config(plugin, run_mode="manual", instance_config={}, plan_config={"p": 1}) == ({"from": "global"}, "global")


def test_pipeline(plugin):
    assert effective_config(plugin, run_mode="pipeline", plan_config={"from": "plan"}) == ({"from": "plan"}, "plan")
    assert effective_config(plugin, run_mode="pipeline", plan_config="", instance_config={"i": 1}) == ({"from": "global"}, "global")


def test_fallback_to_pluginconfig_json_then_empty(plugin):
    Plugin.objects.filter(pk=plugin.pk).update(config={})
    plugin.refresh_from_db()
    assert effective_config(plugin, run_mode="manual") == ({"from": "file"}, "file")
    Path(plugin.path, "pluginconfig.json").unlink()
    assert effective_config(plugin, run_mode="manual") == ({}, "none")


def test_bad_run_mode(plugin):
    with pytest.raises(ValueError):
        effective_config(plugin, run_mode="sometimes")


def test_job_row_records_the_effective_config(admin_user, plugin):
    pr = launch_plugin(create_report(), plugin, user=admin_user, pluginconfig={"from": "instance"})
    job = pr.launched_jobs[0]
    assert job.config == {"from": "instance"} and pr.config == {"from": "instance"}
    pr2 = launch_plugin(create_report(name="second"), plugin, user=admin_user)
    assert pr2.launched_jobs[0].config == {"from": "global"}
