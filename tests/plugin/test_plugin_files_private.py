"""After a launch, the run's key stays private: startplugin.json and the launch script (both hold
the key) are readable by the server's user only, and no plugin_out folder is group- or
world-writable, whatever the umask."""
import json
import os
import stat
from pathlib import Path

import pytest

from launch_support import admin_auth, admin_user, fast_hasher, install, report, zips  # noqa: F401
from rundb.models import PluginResult
from rundb.models.plugin import hash_plugin_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_umask():
    old = os.umask(0)  # the most permissive process umask: the modes must not depend on it
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_launch_files_are_private(client, report, admin_auth, zips, open_umask):
    install(zips("Foo"))
    resp = client.post(f"/rundb/api/v1/results/{report.pk}/plugin/", json.dumps({"plugin": ["Foo"]}),
                       content_type="application/json", **admin_auth)
    assert resp.status_code == 202, resp.content
    pr = PluginResult.objects.get(pk=resp.json()["id"])
    out = Path(report.report_dir) / "plugin_out"
    folder = out / f"Foo_out.{pr.pk}"
    start = folder / "startplugin.json"
    key = json.loads(start.read_text())["runinfo"]["api_key"]
    assert hash_plugin_key(key) == pr.apikey  # the database keeps only the key's hash
    assert _mode(start) & 0o077 == 0, oct(_mode(start))
    script = folder / "ion_plugin_Foo_launch.sh"
    assert key in script.read_text()
    assert _mode(script) & 0o077 == 0, oct(_mode(script))
    for path in (out, folder):
        assert _mode(path) & (stat.S_IWGRP | stat.S_IWOTH) == 0, (path, oct(_mode(path)))
    for path in folder.rglob("*"):
        assert _mode(path) & stat.S_IWOTH == 0, (path, oct(_mode(path)))
