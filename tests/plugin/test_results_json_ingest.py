"""The job service stores a plugin's results.json in its run (pluginStore) when the job ends,
so the store is filled even when the launch script's callback never reached the server; it
never replaces newer data, and a bad file leaves the job in its true state with a message."""
import json
import os
import socket
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grid_support import backend_name, grid  # noqa: F401
from launch_support import create_report, install, make_plugin_zip
from plugin.services.launch import launch_plugin
from rundb.models import JobState, Plugin, PluginResult, PluginResultJob
from plugin.jobkinds import PluginJobKind

RESULTS_BODY = """
self.results = {"reads": 1234, "plugin": "Stored", "nested": {"ok": True}}
return True
"""


def closed_port():
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.sge
@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_store_filled_by_the_service_when_callbacks_cannot_connect(grid, settings):
    # Every callback of the launch script goes to a closed port: it retries, gives up, and the
    # plugin's outcome stands; the service settles the job and brings results.json in.
    settings.ION_NET_LOCATION = f"http://127.0.0.1:{closed_port()}"
    plugin = install(make_plugin_zip(grid.work / "zips", "Stored", RESULTS_BODY))
    pr = launch_plugin(grid.report, plugin, user=grid.user, pluginconfig={})
    job = pr.launched_jobs[0]
    assert json.loads((Path(job.work_dir) / "startplugin.json").read_text())["runinfo"]["api_url"] == \
        settings.ION_NET_LOCATION + "/rundb/api"
    grid.service.start()
    job = grid.wait_state(job, JobState.FINAL, timeout=120)
    assert job.state == JobState.COMPLETED, job.message

    def stored():
        pr.refresh_from_db()
        return pr.store
    deadline = time.monotonic() + 30
    while not stored() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pr.store == {"reads": 1234, "plugin": "Stored", "nested": {"ok": True}}
    log = Path(job.stdout_path).read_text()
    assert "finished with state Completed" in log
    # The callbacks really failed (curl, or the Python fallback without curl).
    assert "Connection refused" in log or "Failed to connect" in log or "failed:" in log, log


@pytest.fixture
def run(db, tmp_path):
    """A run with a DEFAULT job (folder A) and a POST job (A/post), both finished."""
    user = get_user_model().objects.create_user("owner", password="pw")
    report = create_report()
    plugin = Plugin.objects.create(name="Stored", version="1.0", path=str(tmp_path))
    pr = PluginResult.objects.create(result=report, plugin=plugin, owner=user)
    folder = tmp_path / f"Stored_out.{pr.pk}"
    (folder / "post").mkdir(parents=True)
    default = PluginResultJob.objects.create(plugin_result=pr, run_level="default", work_dir=str(folder),
                                             state=JobState.COMPLETED)
    post = PluginResultJob.objects.create(plugin_result=pr, run_level="post", work_dir=str(folder / "post"),
                                          state=JobState.COMPLETED)
    return pr, default, post


def _write(job, content, *, age=0):
    path = Path(job.work_dir) / "results.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    if age:
        t = time.time() - age
        os.utime(path, (t, t))
    return path


def test_store_filled_from_results_json_at_job_end(run):
    pr, default, _post = run
    _write(default, {"reads": 7})
    PluginJobKind().on_final(default.pk)
    pr.refresh_from_db()
    assert pr.store == {"reads": 7}


def test_newer_store_of_a_later_job_is_not_overwritten(run):
    pr, default, post = run
    _write(default, {"from": "default"}, age=3)
    _write(post, {"from": "post"})
    PluginJobKind().on_final(post.pk)  # post's callback or service: the newest data
    # The DEFAULT job's end is settled late (e.g. after a service restart): its older file loses.
    PluginJobKind().on_final(default.pk)
    pr.refresh_from_db()
    assert pr.store == {"from": "post"}


def test_leftover_file_of_an_earlier_run_is_ignored(run):
    pr, default, _post = run
    pr.store = {"set": "by the API"}
    pr.save()
    PluginResultJob.objects.filter(pk=default.pk).update(created=timezone.now())
    _write(default, {"old": "run"}, age=3600)
    PluginJobKind().on_final(default.pk)
    pr.refresh_from_db()
    assert pr.store == {"set": "by the API"}


def test_store_from_a_successful_callback_is_kept(run):
    pr, default, _post = run
    pr.store = {"reads": 7}
    pr.save()
    _write(default, {"reads": 7})
    from plugin.services.results_store import ingest_results_json
    assert ingest_results_json(PluginResultJob.objects.get(pk=default.pk)) is False
    pr.refresh_from_db()
    assert pr.store == {"reads": 7}


@pytest.mark.parametrize("content, why", [
    ('{"reads": 1', "is not valid JSON"),
    ("[1, 2, 3]", "must hold a JSON object, not list"),
    (b"\xff\xfe{}", "is not UTF-8"),
])
def test_bad_results_json_leaves_state_and_records_why(run, content, why, caplog):
    pr, default, _post = run
    pr.store = {"kept": True}
    pr.save()
    PluginResultJob.objects.filter(pk=default.pk).update(message="plugin said bye")
    path = Path(default.work_dir) / "results.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    PluginJobKind().on_final(default.pk)  # never raises
    default.refresh_from_db()
    pr.refresh_from_db()
    assert default.state == JobState.COMPLETED
    assert default.message.startswith("plugin said bye; results.json not stored: it ")
    assert why in default.message
    assert pr.store == {"kept": True}
    assert any("results.json not stored" in r.getMessage() for r in caplog.records)


def test_empty_or_missing_results_json_changes_nothing(run):
    pr, default, _post = run
    PluginJobKind().on_final(default.pk)
    _write(default, "  \n")
    PluginJobKind().on_final(default.pk)
    default.refresh_from_db()
    pr.refresh_from_db()
    assert pr.store == {} and default.message == ""
