"""Settings come from the environment; defaults give the embedded first-look mode
(SQLite under ./var, eager Celery, local job backend)."""
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ION_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def database_from_url(url):
    """Translate DATABASE_URL (postgres://user:pw@host:port/name or sqlite:///path)."""
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        # sqlite:////abs/path -> /abs/path ; sqlite:///rel/path -> rel/path
        path = unquote(parsed.path)[1:] or str(VAR_DIR / "db.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if parsed.scheme in ("postgres", "postgresql", "psql", "pgsql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        db = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            "OPTIONS": options,
        }
        test_name = os.environ.get("DATABASE_TEST_NAME")
        if test_name:
            db["TEST"] = {"NAME": test_name}
        return db
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me-for-any-shared-server")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tastypie",
    "rundb.apps.RundbConfig",
    "browser.apps.BrowserConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "iondb.urls"
WSGI_APPLICATION = "iondb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rundb" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_PASSWORD_VALIDATORS = []
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
LOGIN_URL = "/login/"

# Where instruments drop runs, reports live, and plugins are installed.
ION_RESULTS_ROOT = Path(os.environ.get("ION_RESULTS_ROOT", VAR_DIR / "results")).resolve()
ION_PLUGIN_ROOT = Path(os.environ.get("ION_PLUGIN_ROOT", ION_RESULTS_ROOT / "plugins"))
ION_REPORT_ROOT = Path(os.environ.get("ION_REPORT_ROOT", ION_RESULTS_ROOT / "analysis" / "output"))
ION_REPORT_WEB_ROOT = os.environ.get("ION_REPORT_WEB_ROOT", "/output")
ION_JOB_BACKEND = os.environ.get("ION_JOB_BACKEND", "local")  # "sge" | "local"
ION_SGE_QUEUE = os.environ.get("ION_SGE_QUEUE", "all.q")
# Plugin jobs; empty: ION_SGE_QUEUE (sge/setup_gridengine.sh creates plugin.q).
ION_SGE_PLUGIN_QUEUE = os.environ.get("ION_SGE_PLUGIN_QUEUE", "")
# URL that plugin jobs and the pipeline use to call back into the API.
ION_API_URL = os.environ.get("ION_API_URL", "http://127.0.0.1:8000/rundb/api/")
ION_NET_LOCATION = os.environ.get("ION_NET_LOCATION", "http://127.0.0.1:8000")
ION_VERSION = "5.18.0"

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Task modules outside INSTALLED_APPS that workers must register.
CELERY_IMPORTS = ("pipeline.tasks",)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "torrent")
CELERY_BEAT_SCHEDULE = {
    # Run ingest: scan <ION_RESULTS_ROOT>/<instrument>/<run>/ (pipeline/ingest/crawler.py).
    "crawl-run-folders": {
        "task": "pipeline.tasks.crawl",
        "schedule": float(os.environ.get("ION_CRAWL_INTERVAL", "30")),
        "options": {"expires": float(os.environ.get("ION_CRAWL_INTERVAL", "30"))},
    },
}

TASTYPIE_DEFAULT_FORMATS = ["json"]
TASTYPIE_FULL_DEBUG = False
TASTYPIE_ABSTRACT_APIKEY = False
API_LIMIT_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
