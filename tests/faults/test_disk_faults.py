"""Storage faults: the report root full (a small tmpfs) or read-only. Analyses end in a clear
Error with the reason on the report and in the API, nothing half-written is served as
Completed, plugin launches are refused with the reason, and the server keeps answering."""
import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

import analysis_support as an
from rundb.api.keys import issue_key
from rundb.models import LibMetrics, PluginResult, Results
from sgeutil import in_ci

pytestmark = [pytest.mark.django_db]


def _mount(path, *options):
    if os.geteuid() != 0:
        if in_ci():
            pytest.fail("the storage fault tests mount a tmpfs: CI runs as root")
        pytest.skip("mounting a tmpfs needs root")
    Path(path).mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=512k", "mode=0755") + options), "tmpfs",
                    str(path)], check=True)


@pytest.fixture
def small_report_root(settings):
    root = Path(settings.ION_REPORT_ROOT)
    _mount(root)
    yield root
    subprocess.run(["umount", "-l", str(root)], check=False)


def _fill(root):
    with open(Path(root) / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass


@pytest.fixture
def api(client):
    user = get_user_model().objects.create_superuser("ionadmin", "a@example.com", "pw")
    return {"HTTP_AUTHORIZATION": f"ApiKey ionadmin:{issue_key(user)}"}


@pytest.fixture
def finished_run():
    kit = an.barcode_kit(2)
    run = an.simulate("R_2024_03_04_05_06_07_user_disk", kit=kit, reads=3000)
    an.install_reference_of(run)
    return run


def _assert_clear_error(client, api, report, *fragments):
    report.refresh_from_db()
    assert report.status.startswith("Error"), report.status
    reason = (report.metaData or {}).get("error", "")
    assert any(f in reason for f in fragments), reason
    body = client.get(f"/rundb/api/v1/results/{report.pk}/", **api).json()
    assert body["status"] == report.status
    assert not LibMetrics.objects.filter(report=report).exists(), "a half-written report has metrics"


def test_analysis_on_a_full_disk_ends_in_error(small_report_root, finished_run, client, api):
    report = an.ingest(finished_run.run_dir)
    _fill(small_report_root)
    outcome = an.analyse(report)
    assert outcome.status.startswith("Error")
    _assert_clear_error(client, api, report, "No space left", "space")
    assert client.get("/rundb/api/v1/results/?limit=5", **api).status_code == 200  # still serving


def test_analysis_filling_the_disk_midway_is_not_completed(small_report_root, finished_run, client, api):
    report = an.ingest(finished_run.run_dir)  # 512 kB: the folder fits, the BAMs do not
    outcome = an.analyse(report)
    assert outcome.status.startswith("Error"), outcome.status
    _assert_clear_error(client, api, report, "No space left", "space")


def test_analysis_on_a_read_only_root_ends_in_error(settings, finished_run, client, api):
    report = an.ingest(finished_run.run_dir)
    root = Path(settings.ION_REPORT_ROOT)
    _mount(root, "ro")
    try:
        report.refresh_from_db()
        an.analyse(report)
        _assert_clear_error(client, api, report, "Read-only", "read-only", "Permission denied", "No such file")
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_plugin_launch_on_a_full_disk_is_refused_with_the_reason(small_report_root, client, api, tmp_path):
    report = an.launch_support.create_report(name="Auto_disk_full")
    plugin = an.launch_support.install(an.launch_support.make_plugin_zip(tmp_path / "zips", "DiskPlugin"))
    _fill(small_report_root)
    response = client.post(f"/rundb/api/v1/results/{report.pk}/plugin/", data={"plugin": ["DiskPlugin"]},
                           content_type="application/json", **api)
    assert response.status_code == 507, response.content
    assert "No space left" in response.json()["error"]
    assert not PluginResult.objects.filter(result=report, plugin=plugin).exclude(
        plugin_result_jobs__isnull=True).exists(), "a job was queued with no folder to run in"
    assert client.get(f"/rundb/api/v1/results/{report.pk}/", **api).status_code == 200
    assert Results.objects.filter(pk=report.pk).exists()
