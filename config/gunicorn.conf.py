"""gunicorn settings for the web service (`make web`, docker compose `web`).

Every value can be overridden from the environment, so one file serves a laptop and a
container. Run from the project root: gunicorn -c config/gunicorn.conf.py
"""
import multiprocessing
import os

wsgi_app = "iondb.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def callback_location(bind_value):
    """http://host:port of the first TCP address in *bind_value* (a wildcard host is reached
    through the loopback address); "" for unix sockets."""
    first = bind_value.split(",")[0].strip()
    if not first or first.startswith(("unix:", "fd://")):
        return ""
    host, _, port = first.rpartition(":")
    if not host:
        host, port = first, "8000"
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


# Jobs call the API back where this server listens, unless ION_NET_LOCATION says otherwise
# (e.g. behind a proxy). Set before the workers import the settings. Not in the production
# profile: plain HTTP is redirected there, and the launching request's (https) address is the
# better guess (plugin/services/config.py).
_production = os.environ.get("ION_PRODUCTION", "").strip().lower() in ("1", "true", "yes", "on")
if not os.environ.get("ION_NET_LOCATION") and not _production and callback_location(bind):
    os.environ["ION_NET_LOCATION"] = callback_location(bind)
# API requests spend most of their time in Python, a fifth or so waiting on PostgreSQL
# (bench/load.py): processes give the parallelism; two threads each let one wait while the
# other runs. More threads only contend for the worker's interpreter lock, and since a
# kept-alive connection stays with the worker that accepted it, one busy worker's requests
# queue behind each other (5 workers x 4 threads answered the measured run's p99 in
# 166-446 ms, 5 x 2 in 83-313 ms on 2 cores).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Report pages and plugin uploads can take a while; the API itself answers in milliseconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle keep-alive connection is kept. A gthread worker counts them from the end of
# the previous response, also while a request already sent waits for a free thread; under a
# burst longer than this wait the worker closes the connection under the client's request
# (seen as dropped requests by bench/load.py at 5 s), so it is well above the worst queueing.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
# Recycle workers now and then so slow memory growth cannot accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Behind a reverse proxy, set this to the proxy's address so X-Forwarded-* are honoured.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "torrent-server-web"
# gunicorn >= 25 opens a control socket at one fixed path per user; two servers on one
# machine (tests, a second checkout) would fight over it, and we do not use it.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# The app is loaded and warmed (iondb/warmup.py) once in the master, and every worker is
# forked from it: a worker started after max_requests costs a fork instead of Django's
# start-up and the warm-up (about a second of CPU here), which under load showed as a burst
# of slow answers. New code is then read on a restart, not on HUP. GUNICORN_PRELOAD=0 loads
# and warms in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in ("0", "false", "no", "off")


def when_ready(server):
    """In the master, before the first fork (closes the database connections it opened)."""
    if server.cfg.preload_app:
        from iondb.warmup import warm_up

        warm_up()


def post_worker_init(worker):
    """A worker that loaded the app itself warms it before taking requests."""
    if not worker.cfg.preload_app:
        from iondb.warmup import warm_up

        warm_up()
