"""Helpers for tests that start the project's own processes (settings, Celery worker, make)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Everything settings.py reads, so a subprocess starts from a known environment.
SETTINGS_ENV = [
    "DATABASE_URL", "DATABASE_TEST_NAME", "DATABASE_CONN_MAX_AGE", "REDIS_URL", "CELERY_QUEUE", "SECRET_KEY",
    "DEBUG", "ALLOWED_HOSTS", "LOG_LEVEL", "ION_VAR_DIR", "ION_RESULTS_ROOT", "ION_PLUGIN_ROOT", "ION_REPORT_ROOT",
    "ION_REPORT_WEB_ROOT", "ION_JOB_BACKEND", "ION_SGE_QUEUE", "ION_API_URL", "ION_NET_LOCATION",
]


def clean_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "iondb.settings"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@pytest.fixture
def settings_in_subprocess(tmp_path):
    """settings_in_subprocess(NAME=value, ...) -> dict of settings as a fresh process sees them."""
    names = ["DATABASES", "VAR_DIR", "ION_RESULTS_ROOT", "ION_PLUGIN_ROOT", "ION_REPORT_ROOT", "DEBUG",
             "ALLOWED_HOSTS", "SECRET_KEY", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
             "CELERY_TASK_ALWAYS_EAGER", "ION_JOB_BACKEND"]
    code = (
        "import json, sys\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))\n"
    )

    def run(**overrides):
        overrides.setdefault("ION_VAR_DIR", tmp_path / "var")
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(**overrides),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    return run
