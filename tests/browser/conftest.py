"""Browser tests of the Torrent Browser: Playwright for Python driving Debian's chromium
(headless) against pytest-django's live server. The data comes from the run simulator and
the real analysis (tests/pipeline/analysis_support.py) and from plugin zips built by the
plugin tests' helpers (tests/plugin/launch_support.py).

Every browser test leaves a screenshot in var/test-artifacts/; a failing one also its console log.
Without chromium (or the playwright package) the tests skip, except in CI where they fail.
"""
import os
import re
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

ARTIFACTS = ROOT / "var" / "test-artifacts"
from infra_env import start_celery_worker, stop  # noqa: E402
from web_support import ADMIN, ADMIN_PW, USER, USER_PW, _missing, in_ci, sign_in  # noqa: E402,F401


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make between browser steps are ordinary synchronous calls. Set only once a browser
    # test starts (tests/browser runs last), so no other test runs with the check off.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=chromium_path, headless=True,
                                 args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
    yield browser
    browser.close()
    pw.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def page(request, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    console = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    pg.console_log = console
    yield pg
    failed = any(getattr(request.node, "rep_" + w, None) is not None and getattr(request.node, "rep_" + w).failed
                 for w in ("setup", "call"))
    # Every test leaves what the person last saw (var/test-artifacts/<test>.png); a failing
    # one also leaves the page's console log beside it.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
    shot = ARTIFACTS / f"{stem}.png"
    try:
        pg.screenshot(path=str(shot), full_page=True)
    except Exception as exc:  # the page may be gone
        console.append(f"(screenshot failed: {exc})")
    if failed:
        (ARTIFACTS / f"{stem}.console.txt").write_text("\n".join(console) + f"\nURL: {pg.url}\n")
        print(f"\nscreenshot: {shot}\nconsole log: {ARTIFACTS / (stem + '.console.txt')}")
    context.close()


@pytest.fixture
def live(live_server, transactional_db, settings):
    """The live server's base URL; the API and plugin jobs call back to it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ION_NET_LOCATION = live_server.url
    settings.ION_API_URL = live_server.url + "/rundb/api/"
    return live_server.url


@pytest.fixture
def admin(live):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(ADMIN, "admin@example.com", ADMIN_PW, first_name="Ion",
                                                     last_name="Admin")


@pytest.fixture
def labuser(live):
    from django.contrib.auth import get_user_model

    from rundb.api.permissions import ensure_ionusers_group

    user = get_user_model().objects.create_user(USER, "lab@example.com", USER_PW, first_name="Lab",
                                                last_name="User")
    user.groups.add(ensure_ionusers_group())
    return user


@pytest.fixture
def signed_in(page, live, admin):
    return sign_in(page, live)


@pytest.fixture
def job_service(live, tmp_path):
    """`manage.py jobservice` against the test database (ION_JOB_BACKEND: sge in CI, else local)."""
    import uuid

    from grid_support import ServiceProcess, delete_grid_jobs, require_backend

    backend = os.environ.get("ION_JOB_BACKEND", "local")
    require_backend(backend)
    work = tmp_path / "jobservice"
    work.mkdir()
    service = ServiceProcess(backend, work, "w" + uuid.uuid4().hex[:8])
    service.start(ION_NET_LOCATION=live, ION_API_URL=live + "/rundb/api/")
    yield service
    code = service.stop()
    if code not in (0, None):
        print(service.log_text())
    if backend == "sge":
        delete_grid_jobs(service.prefix)

@pytest.fixture
def celery_worker(live, tmp_path):
    """A real `celery -A iondb worker` on a queue of its own, against the test database; the
    web process sends its tasks there for the test. Yields (queue, results root, log path)."""
    import uuid

    from grid_support import db_url, require_postgres
    from iondb.celery import app

    if not os.environ.get("REDIS_URL"):
        _missing("REDIS_URL is not set: no Redis to run a Celery worker against")
    require_postgres()
    assert not app.conf.task_always_eager, "REDIS_URL is set, so tasks must not run eagerly"
    queue = f"web-{uuid.uuid4().hex[:12]}"
    results_root = tmp_path / "worker-results"
    log_path = tmp_path / "worker.log"
    env = dict(os.environ, DATABASE_URL=db_url(), DATABASE_CONN_MAX_AGE="0", CELERY_QUEUE=queue,
               ION_RESULTS_ROOT=str(results_root), ION_VAR_DIR=str(tmp_path / "worker-var"), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_TEST_NAME", None)
    with open(log_path, "w") as log:
        proc = start_celery_worker(queue, env, log)
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue, results_root, log_path
    finally:
        app.conf.task_default_queue = old_queue
        stop(proc)  # SIGTERM: warm shutdown
