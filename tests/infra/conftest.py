"""Helpers for tests that start the project's own processes (settings, Celery worker, make)."""
import json
import subprocess
import sys

import pytest
from infra_env import ROOT, clean_env


@pytest.fixture
def settings_in_subprocess(tmp_path):
    """settings_in_subprocess(NAME=value, ...) -> dict of settings as a fresh process sees them."""
    names = ["DATABASES", "VAR_DIR", "ION_RESULTS_ROOT", "ION_PLUGIN_ROOT", "ION_REPORT_ROOT", "DEBUG",
             "ALLOWED_HOSTS", "SECRET_KEY", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
             "CELERY_TASK_ALWAYS_EAGER", "ION_JOB_BACKEND", "ION_JOB_STATE_DIR", "ION_LOCAL_SLOTS",
             "ION_JOB_NAME_PREFIX", "ION_JOB_DB_POLL", "ION_JOB_TIMEOUT", "ION_ADMIN_USER", "ION_ADMIN_PASSWORD",
             "ION_TS_FIXTURES_DIR", "ION_SGE_QUEUE"]
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
