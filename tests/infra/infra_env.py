"""Environment helpers for tests that start the project's own processes (no pytest imports)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Everything settings.py reads, so a subprocess starts from a known environment.
SETTINGS_ENV = [
    "DATABASE_URL", "DATABASE_TEST_NAME", "DATABASE_CONN_MAX_AGE", "REDIS_URL", "CELERY_QUEUE", "SECRET_KEY",
    "DEBUG", "ALLOWED_HOSTS", "LOG_LEVEL", "ION_VAR_DIR", "ION_RESULTS_ROOT", "ION_PLUGIN_ROOT", "ION_REPORT_ROOT",
    "ION_REPORT_WEB_ROOT", "ION_JOB_BACKEND", "ION_SGE_QUEUE", "ION_API_URL", "ION_NET_LOCATION",
]


def clean_env(**overrides):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture for their own process only.
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DJANGO_SETTINGS_MODULE"] = "iondb.settings"
    env.update({k: str(v) for k, v in overrides.items()})
    return env
