"""Safe by default: no shared hard-coded SECRET_KEY (one is generated and kept per
installation), `check --deploy` clean under the production profile (ION_PRODUCTION=1), static
files served by the WSGI app under gunicorn (WhiteNoise), LOGIN_URL set."""
import json
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from infra_env import ROOT, clean_env, stop

SHOW = ("import json; from django.conf import settings as s; "
        "print(json.dumps({'key': s.SECRET_KEY, 'login': s.LOGIN_URL, 'debug': s.DEBUG}))")


def settings_of(**env):
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + SHOW], cwd=ROOT,
                          env=clean_env(**env), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_secret_key_is_generated_once_per_installation_and_kept_private(tmp_path):
    var = tmp_path / "var"
    first = settings_of(ION_VAR_DIR=var)
    key_file = var / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["key"] == key_file.read_text().strip() and len(first["key"]) >= 50
    assert "insecure" not in first["key"]
    assert settings_of(ION_VAR_DIR=var)["key"] == first["key"]  # kept across restarts
    assert settings_of(ION_VAR_DIR=tmp_path / "other")["key"] != first["key"]  # never shared
    assert settings_of(ION_VAR_DIR=var, SECRET_KEY="from-env")["key"] == "from-env"
    assert first["login"] == "/login/" and first["debug"] is False


def test_processes_starting_together_agree_on_one_key(tmp_path):
    var = tmp_path / "var"
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=clean_env(ION_VAR_DIR=var),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    keys = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(keys) == 1 and keys == {(var / "secret_key").read_text().strip()}
    assert [p.name for p in var.iterdir() if p.name.startswith(".secret_key")] == []


def test_check_deploy_is_clean_under_the_production_profile(tmp_path):
    def check(**env):
        return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                              cwd=ROOT, env=clean_env(ION_VAR_DIR=tmp_path / "var", **env),
                              capture_output=True, text=True, timeout=120)
    out = check(ION_PRODUCTION="1")
    assert out.returncode == 0, out.stdout + out.stderr
    # The development default is not a production configuration, and check --deploy says so.
    dev = check()
    assert dev.returncode != 0 and "SECURE_SSL_REDIRECT" in dev.stderr + dev.stdout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_admin_css_is_served_by_the_wsgi_app_under_gunicorn(tmp_path):
    var = tmp_path / "var"
    env = clean_env(ION_VAR_DIR=var, DEBUG="0")
    out = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    css = var / "static" / "admin" / "css" / "base.css"
    assert css.is_file()
    port = _free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", GUNICORN_ACCESSLOG="/dev/null")
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5) as r:
                    status, ctype, body = r.status, r.headers["Content-Type"], r.read()
                break
            except (urllib.error.URLError, OSError):
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.3)
        assert status == 200 and ctype.startswith("text/css")
        assert body == css.read_bytes()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/no-such.css", timeout=5)
            raise AssertionError("a missing static file was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        stop(proc)
        log.close()
