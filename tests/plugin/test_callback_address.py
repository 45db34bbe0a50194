"""Plugin jobs call the API back where the server is really served: the launching request's own
address when ION_NET_LOCATION is unset, `make serve`'s HOST/PORT, gunicorn's bind."""
import base64
import json
import os
import runpy
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from grid_support import backend_name, grid  # noqa: F401
from launch_support import install, make_plugin_zip
from rundb.models import JobState, PluginResult
from sgeutil import wait_until

ROOT = Path(__file__).resolve().parents[2]

RESULTS_BODY = """
self.results = {"answer": 42, "runlevel": self.startplugin["runplugin"]["runlevel"]}
return True
"""


@pytest.mark.sge
@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_api_launch_on_a_non_default_port_stores_results_through_the_callback(grid, settings, live_server):
    settings.ION_NET_LOCATION = ""  # nothing configured: the request's own address is used
    port = int(live_server.url.rsplit(":", 1)[1])
    assert port != 8000
    install(make_plugin_zip(grid.work / "zips", "Addr", RESULTS_BODY))
    # The service's status poll once an hour: only the launch script's own callbacks can move
    # the row and fill the store (the service's results.json ingest runs after a poll).
    grid.service.start(ION_JOB_STATUS_POLL="3600", ION_NET_LOCATION="")
    token = base64.b64encode(b"ionadmin:ionadmin").decode()
    req = urllib.request.Request(
        f"{live_server.url}/rundb/api/v1/results/{grid.report.pk}/plugin/", method="POST",
        data=json.dumps({"plugin": ["Addr"]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 202
        body = json.loads(resp.read())
    pr = PluginResult.objects.get(pk=body["pluginresult"])
    job = pr.plugin_result_jobs.get()
    start = json.loads((Path(job.work_dir) / "startplugin.json").read_text())
    assert start["runinfo"]["net_location"] == live_server.url
    assert start["runinfo"]["api_url"] == f"{live_server.url}/rundb/api"
    job = grid.wait_state(job, JobState.COMPLETED, timeout=90)
    pr.refresh_from_db()
    assert pr.store == {"answer": 42, "runlevel": "default"}
    # The launch script logs its last callbacks after they answered: wait for the line.
    line = f"PATCH {live_server.url}/rundb/api/v1/pluginresult/{pr.pk}/ -> HTTP 20"
    try:
        wait_until(lambda: line in Path(job.stdout_path).read_text(), timeout=30, what="the callback's log line")
    finally:
        print(Path(job.stdout_path).read_text())


def test_make_serve_hands_its_host_and_port_to_jobs():
    def dry(*args):
        env = {k: v for k, v in os.environ.items() if k != "ION_NET_LOCATION"}
        out = subprocess.run(["make", "-n", "serve", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout
    out = dry("PORT=8011")
    assert 'ION_NET_LOCATION="${ION_NET_LOCATION:-http://127.0.0.1:8011}"' in out
    assert "runserver --insecure 127.0.0.1:8011" in out
    # A wildcard bind is reached through the loopback address.
    assert "http://127.0.0.1:9000}" in dry("HOST=0.0.0.0", "PORT=9000")
    assert "http://ts.lab:8080}" in dry("HOST=ts.lab", "PORT=8080")


@pytest.mark.parametrize("bind, expected", [
    ("0.0.0.0:8011", "http://127.0.0.1:8011"),
    ("10.1.2.3:9000", "http://10.1.2.3:9000"),
    ("[::1]:8000", "http://[::1]:8000"),
    ("unix:/run/ts.sock", None),
])
def test_gunicorn_config_sets_the_address_from_its_bind(monkeypatch, bind, expected):
    monkeypatch.setenv("GUNICORN_BIND", bind)
    monkeypatch.delenv("ION_NET_LOCATION", raising=False)
    runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert os.environ.get("ION_NET_LOCATION") == expected


def test_gunicorn_config_keeps_an_explicit_address(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8011")
    monkeypatch.setenv("ION_NET_LOCATION", "https://ts.example.org")
    runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert os.environ["ION_NET_LOCATION"] == "https://ts.example.org"


def test_settings_derive_the_api_url(tmp_path):
    code = "from django.conf import settings as s; print(s.ION_NET_LOCATION, s.ION_API_URL)"

    def run(**env):
        full = {k: v for k, v in os.environ.items() if k not in ("ION_NET_LOCATION", "ION_API_URL")}
        full.update(DJANGO_SETTINGS_MODULE="iondb.settings", ION_VAR_DIR=str(tmp_path), **env)
        out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                             cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()
    assert run(ION_NET_LOCATION="http://ts:8011/") == ["http://ts:8011", "http://ts:8011/rundb/api/"]
    assert run() == ["http://127.0.0.1:8000/rundb/api/"]  # unset: empty location, default API URL


def test_gunicorn_config_leaves_the_address_to_the_request_in_production(monkeypatch):
    # Plain HTTP is redirected there: the launching request's https address is the better guess.
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8011")
    monkeypatch.setenv("ION_PRODUCTION", "1")
    monkeypatch.delenv("ION_NET_LOCATION", raising=False)
    runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert "ION_NET_LOCATION" not in os.environ


@pytest.mark.django_db
@pytest.mark.urls("analysis_urls")
@pytest.mark.parametrize("configured", ["", "http://ts.lab:8011"])
def test_analysis_started_through_the_api_passes_the_address_to_its_plugins(client, settings, configured):
    # The pipeline job launches the plan's plugins with no request of its own: it is told the
    # address the reanalysis request came to, unless one is configured.
    from django.contrib.auth import get_user_model

    from launch_support import create_report
    from rundb.api.keys import issue_key
    from rundb.models import AnalysisJob

    settings.ION_NET_LOCATION = configured
    settings.ALLOWED_HOSTS = ["ts.example.org", "testserver"]
    report = create_report(name="Auto_user_addr")
    user = get_user_model().objects.create_superuser("ionadmin", "a@example.com", "pw")
    response = client.post(f"/rundb/api/v1/results/{report.pk}/reanalyze/", data="{}",
                           content_type="application/json", HTTP_HOST="ts.example.org:8443",
                           HTTP_AUTHORIZATION=f"ApiKey ionadmin:{issue_key(user)}")
    assert response.status_code == 202, response.content
    script = Path(AnalysisJob.objects.get(pk=response.json()["job"]["id"]).script_path).read_text()
    if configured:
        assert "ION_NET_LOCATION" not in script  # the job service's own environment says it
    else:
        assert "exec env ION_NET_LOCATION=http://ts.example.org:8443 " in script
