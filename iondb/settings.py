"""Settings come from the environment; defaults give the embedded first-look mode
(SQLite under ./var, eager Celery, local job backend)."""
import os
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ION_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


SQLITE_TIMEOUT = 30  # s a SQLite writer waits for the write lock


def database_from_url(url):
    """Translate DATABASE_URL (postgres://user:pw@host:port/name or sqlite:///path)."""
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        # sqlite:////abs/path -> /abs/path ; sqlite:///rel/path -> rel/path
        path = unquote(parsed.path)[1:] or str(VAR_DIR / "db.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Several writers at once (web threads, gunicorn workers, plugin callbacks, the job
        # service): WAL lets readers run beside the writer; IMMEDIATE takes the write lock when
        # a write transaction begins, so two transactions never deadlock upgrading a read lock
        # (which fails at once, "database is locked"); the others wait up to `timeout` s.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_TIMEOUT,
            },
        }
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


def secret_key():
    """SECRET_KEY from the environment, else one generated at the first start and kept in
    <ION_VAR_DIR>/secret_key (mode 0600), so a fresh checkout needs no configuration and no
    key is ever shared between installations. Every process of one installation (web, worker,
    job service, jobs) reads the same file; the first writer wins."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        return value
    path = VAR_DIR / "secret_key"
    for _ in range(50):
        try:
            value = path.read_text().strip()
        except FileNotFoundError:
            value = None
        if value:
            return value
        if value is None:
            try:
                VAR_DIR.mkdir(parents=True, exist_ok=True)
                tmp = VAR_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(50) + "\n")
                try:
                    os.link(tmp, path)  # atomic: never a half-written key, one winner
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink()
                continue
            except OSError as exc:
                raise ImproperlyConfigured(f"Set SECRET_KEY, or make {path} writable: {exc}") from exc
        time.sleep(0.1)  # an empty file: another process is just writing it
    raise ImproperlyConfigured(f"{path} is empty: delete it or set SECRET_KEY")


SECRET_KEY = secret_key()
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
    # Layers bottom-up (docs/architecture.md): the data model, the job runner, the domains.
    "rundb.apps.RundbConfig",
    "sge.apps.SgeConfig",
    "plugin.apps.PluginConfig",
    "pipeline.apps.PipelineConfig",
    "browser.apps.BrowserConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin CSS/JS) from STATIC_ROOT under gunicorn; `make web` collects them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rundb.api.throttle.LoginThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "plugin.middleware.RequestLocationMiddleware",
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
try:  # WhiteNoise warns about a missing folder; `make run` serves from the apps (runserver --insecure)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
LOGIN_URL = "/login/"

# Production profile (ION_PRODUCTION=1): HTTPS only, secure cookies, HSTS; `manage.py check
# --deploy` is clean with it. TLS is usually ended by a reverse proxy in front of gunicorn
# (config/gunicorn.conf.py trusts its X-Forwarded-Proto); jobs must then call back on the
# https address (ION_NET_LOCATION), as plain-HTTP requests are redirected.
ION_PRODUCTION = env_bool("ION_PRODUCTION", False)
if ION_PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("ION_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Where instruments drop runs, reports live, and plugins are installed.
ION_RESULTS_ROOT = Path(os.environ.get("ION_RESULTS_ROOT", VAR_DIR / "results")).resolve()
ION_PLUGIN_ROOT = Path(os.environ.get("ION_PLUGIN_ROOT", ION_RESULTS_ROOT / "plugins"))
ION_REPORT_ROOT = Path(os.environ.get("ION_REPORT_ROOT", ION_RESULTS_ROOT / "analysis" / "output"))
ION_REPORT_WEB_ROOT = os.environ.get("ION_REPORT_WEB_ROOT", "/output")
ION_JOB_BACKEND = os.environ.get("ION_JOB_BACKEND", "local")  # "sge" | "local"
ION_SGE_QUEUE = os.environ.get("ION_SGE_QUEUE") or "all.q"
# Plugin jobs; empty: ION_SGE_QUEUE (sge/setup_gridengine.sh creates plugin.q).
ION_SGE_PLUGIN_QUEUE = os.environ.get("ION_SGE_PLUGIN_QUEUE", "")
# Job service and backends (sge/). The timings and limits stay as given (None when unset):
# sge/service_config.py checks them and holds their defaults, so a bad value stops the job
# service with a clear message instead of every manage.py command.
ION_JOB_DB_POLL = os.environ.get("ION_JOB_DB_POLL")
ION_JOB_STATUS_POLL = os.environ.get("ION_JOB_STATUS_POLL")
ION_JOB_RECONCILE_INTERVAL = os.environ.get("ION_JOB_RECONCILE_INTERVAL")
ION_JOB_TIMEOUT = os.environ.get("ION_JOB_TIMEOUT")
ION_JOB_LOST_GRACE = os.environ.get("ION_JOB_LOST_GRACE")
ION_JOB_SUBMIT_RETRIES = os.environ.get("ION_JOB_SUBMIT_RETRIES")
ION_JOB_BATCH = os.environ.get("ION_JOB_BATCH")
# Grid job-name prefix; empty: "ion" + a hash of the database (sge/jobkinds.py).
ION_JOB_NAME_PREFIX = os.environ.get("ION_JOB_NAME_PREFIX", "")
# Backend bookkeeping: local job records, DRMAA results, the job service's lock.
ION_JOB_STATE_DIR = os.environ.get("ION_JOB_STATE_DIR") or str(VAR_DIR / "jobstate")
# Jobs the local backend runs at once.
ION_LOCAL_SLOTS = int(os.environ.get("ION_LOCAL_SLOTS") or max(2, os.cpu_count() or 2))

# First start (rundb/catalog/bootstrap.py): the administrator it creates (empty: ionadmin, whose
# password is ionadmin unless ION_ADMIN_PASSWORD is set), and a lab's own fixture folder.
ION_ADMIN_USER = os.environ.get("ION_ADMIN_USER", "")
ION_ADMIN_PASSWORD = os.environ.get("ION_ADMIN_PASSWORD", "")
ION_TS_FIXTURES_DIR = os.environ.get("ION_TS_FIXTURES_DIR", "")

# This server's address as jobs see it: plugin jobs and the pipeline call the API back at
# <ION_NET_LOCATION>/rundb/api/ (ION_API_URL, derived). `make run`/`make serve` set it from
# HOST/PORT and config/gunicorn.conf.py from its bind. Unset, a plugin launched through the API
# calls back the host the launching request came to, else the default (plugin/services/config.py).
ION_DEFAULT_NET_LOCATION = "http://127.0.0.1:8000"
ION_NET_LOCATION = os.environ.get("ION_NET_LOCATION", "").strip().rstrip("/")
ION_API_URL = (ION_NET_LOCATION or ION_DEFAULT_NET_LOCATION) + "/rundb/api/"
# Largest request body the API reads (bytes); larger ones get 413. Django's own in-memory
# limit follows it so that bodies up to this size are readable at all.
ION_API_MAX_BODY = int(os.environ.get("ION_API_MAX_BODY", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = ION_API_MAX_BODY
# Seconds a prepared plan handed to the planning page (prepopulatedplanningsession) is kept.
ION_PLANNING_SESSION_TTL = int(os.environ.get("ION_PLANNING_SESSION_TTL", 3600))
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

# Counters of failed sign-ins (rundb/api/throttle.py) live in the cache: shared through Redis
# when there is one, else per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "ion"}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# After this many failed sign-ins (per client address, per user name) further attempts get 429
# until ION_AUTH_COOLOFF s pass without a new failure (0 disables the throttle).
ION_AUTH_FAILURE_LIMIT = int(os.environ.get("ION_AUTH_FAILURE_LIMIT", "10"))
ION_AUTH_COOLOFF = int(os.environ.get("ION_AUTH_COOLOFF", "300"))
# Reverse proxies whose X-Forwarded-For names the real client (comma-separated addresses).
ION_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("ION_TRUSTED_PROXIES", "").split(",") if a.strip()]
ION_AUTH_THROTTLE_NAMESPACE = ""  # part of every counter's cache key (tests use their own)

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
