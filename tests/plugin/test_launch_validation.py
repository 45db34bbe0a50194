"""Validation before launch: requires_configuration and the plugin's custom_validation (run in a
child process) record "Failed Validation" and create no job."""
import pytest

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin, pluginresult_state
from rundb.models import PluginResultJob

pytestmark = pytest.mark.django_db

CUSTOM = '''
def custom_validation(self, configuration, run_mode):
    if run_mode == "manual" and not configuration.get("upload_path"):
        return ["bad path"]
    return []
'''


def test_custom_validation_messages_block_the_launch(admin_user, zips):
    plugin = install(zips("Val", attrs=CUSTOM))
    result = create_report()
    pr = launch_plugin(result, plugin, user=admin_user, pluginconfig={"x": 1})
    assert pr.validation_errors == {"validation_errors": ["bad path"]}
    assert pluginresult_state(pr) == "Failed Validation"
    assert not PluginResultJob.objects.exists()
    ok = launch_plugin(result, plugin, user=admin_user, pluginconfig={"upload_path": "/tmp"})
    assert ok.validation_errors == {} and len(ok.launched_jobs) == 1


def test_requires_configuration_and_custom_together(admin_user, zips):
    plugin = install(zips("Val", attrs="requires_configuration = True\n" + CUSTOM))
    pr = launch_plugin(create_report(), plugin, user=admin_user)
    assert pr.validation_errors["validation_errors"] == ["Val requires configuration before execution.", "bad path"]


def test_crashing_validation_is_reported(admin_user, zips):
    body = CUSTOM.replace('return ["bad path"]', 'raise RuntimeError("validator broke")')
    plugin = install(zips("Val", attrs=body))
    pr = launch_plugin(create_report(), plugin, user=admin_user)
    [message] = pr.validation_errors["validation_errors"]
    assert "RuntimeError: validator broke" in message
