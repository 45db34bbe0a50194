"""The pipeline app's job kind: one grid job per AnalysisJob row (registered in pipeline/apps.py)."""
from rundb.models import AnalysisJob
from sge.jobkinds import JobKind, pick_env

# Environment an analysis job needs to reach the database and find its files.
_ANALYSIS_ENV_PREFIXES = ("ION_", "DATABASE_", "DJANGO_", "CELERY_", "SGE_")
_ANALYSIS_ENV_NAMES = ("PATH", "LANG", "LC_ALL", "HOME", "TZ", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV",
                       "SECRET_KEY", "REDIS_URL", "ALLOWED_HOSTS", "DEBUG", "LOG_LEVEL", "DRMAA_LIBRARY_PATH")


class AnalysisJobKind(JobKind):
    tag = "ana"
    model = AnalysisJob

    def job_env(self, row) -> dict:
        return pick_env(_ANALYSIS_ENV_NAMES, _ANALYSIS_ENV_PREFIXES)
