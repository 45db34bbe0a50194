"""docker-compose.yml describes the full stack, and the compose tool (when installed) accepts it."""
import shutil
import subprocess

import pytest
import yaml
from infra_env import ROOT

APP_SERVICES = {"migrate", "web", "worker", "beat", "jobservice"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_of_the_full_stack(compose):
    services = compose["services"]
    assert {"db", "redis"} | APP_SERVICES <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["gridengine"]["profiles"] == ["sge"]  # opt-in


def test_app_services_share_one_image_and_configuration(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["ION_RESULTS_ROOT"] == "/var/lib/torrent/results", name
        assert any(v.startswith("results:") for v in services[name]["volumes"]), name
        assert services[name]["build"] == "." and services[name]["image"] == "torrent-server:latest", name


def test_commands(compose):
    s = compose["services"]
    assert s["web"]["command"] == ["gunicorn", "-c", "config/gunicorn.conf.py"]
    assert s["web"]["environment"]["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert s["worker"]["command"][:4] == ["celery", "-A", "iondb", "worker"]
    assert s["beat"]["command"][:4] == ["celery", "-A", "iondb", "beat"]
    assert s["jobservice"]["command"] == ["python", "manage.py", "jobservice"]
    assert "migrate --noinput" in s["migrate"]["command"][-1] and "bootstrap" in s["migrate"]["command"][-1]
    for name in APP_SERVICES - {"migrate"}:
        assert s[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    assert s["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_referenced_files_exist(compose):
    assert (ROOT / "Dockerfile").is_file() and (ROOT / "config" / "gunicorn.conf.py").is_file()
    assert (ROOT / "sge" / "setup_gridengine.sh").is_file()


def test_compose_tool_accepts_the_file():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        cmd = ["docker", "compose", "config", "-q"]
    elif shutil.which("docker-compose"):
        cmd = ["docker-compose", "config", "-q"]
    else:
        pytest.skip("neither 'docker compose' nor 'docker-compose' is installed")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
