"""The embedded default (SQLite, as `make run` uses it) takes concurrent writers: API writes
from several clients while plugin jobs call back never get 500 "database is locked", and every
write is applied (iondb/settings.py: WAL, a busy timeout, immediate write transactions)."""
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from infra_env import ROOT, clean_env, stop

WRITERS = 4          # API clients: POST a message, PATCH their own message
CALLBACKS = 4        # plugin runs: PATCH store, PATCH job state (as the launch script does)
ROUNDS = 12

SETUP = r"""
import json, sys
import django
django.setup()
sys.path.insert(0, "tests/plugin")
from django.contrib.auth import get_user_model
from launch_support import create_report
from rundb.models import JobState, Message, Plugin, PluginResult, PluginResultJob
report = create_report()
plugin = Plugin.objects.create(name="Busy", version="1.0")
owner = get_user_model().objects.get(username="ionadmin")
runs = []
for i in range(int(sys.argv[1])):
    pr = PluginResult(result=report, plugin=plugin, owner=owner)
    key = pr.regenerate_apikey()
    pr.save()
    jobs = [PluginResultJob.objects.create(plugin_result=pr, state=JobState.QUEUED, apikey_hash=pr.apikey).pk
            for _ in range(int(sys.argv[2]))]
    runs.append({"pr": pr.pk, "key": key, "jobs": jobs})
messages = [Message.objects.create(body="start").pk for _ in range(int(sys.argv[3]))]
print(json.dumps({"runs": runs, "messages": messages}))
"""

CHECK = r"""
import json
import django
django.setup()
from rundb.models import Message, PluginResult, PluginResultJob
print(json.dumps({
    "stores": {pr.pk: pr.store for pr in PluginResult.objects.all()},
    "states": {j.pk: j.state for j in PluginResultJob.objects.all()},
    "bodies": {m.pk: m.body for m in Message.objects.all()},
}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, timeout=180):
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def python(env, code, *args):
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def call(method, url, body, auth):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Accept": "application/json", "Authorization": auth})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()[:300]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:300]


@pytest.fixture(params=["runserver", "gunicorn"])
def server(request, tmp_path):
    """`make run`'s configuration: a fresh SQLite file, eager Celery, the local job backend."""
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", ION_VAR_DIR=tmp_path / "var",
                    ION_JOB_BACKEND="local", ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="ERROR")
    manage(env, "migrate", "--noinput")
    out = manage(env, "bootstrap", "--no-catalog")
    key = re.search(r"API key for ionadmin: (\S+)", out).group(1)
    port = free_port()
    if request.param == "runserver":
        cmd = [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"]
    else:
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"]
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="3", GUNICORN_THREADS="4",
                   GUNICORN_ACCESSLOG="/dev/null")
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/rundb/api/v1/", timeout=5).read()
            break
        except (urllib.error.URLError, OSError):
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
    yield env, url, f"ApiKey ionadmin:{key}"
    stop(proc)
    log.close()


@pytest.mark.live
def test_concurrent_api_writes_and_plugin_callbacks_all_succeed(server):
    env, url, admin = server
    data = python(env, SETUP, CALLBACKS, ROUNDS, WRITERS)
    api = f"{url}/rundb/api/v1"
    failures, lock = [], threading.Lock()
    posted = []
    start = threading.Barrier(WRITERS + CALLBACKS)

    def record(what, status, body):
        if not 200 <= status < 300:
            with lock:
                failures.append((what, status, body))

    def writer(i):
        start.wait()
        msg = data["messages"][i]
        for n in range(ROUNDS):
            status, body = call("POST", f"{api}/message/", {"body": f"writer {i} post {n}"}, admin)
            record("POST message", status, body)
            if status == 201:
                with lock:
                    posted.append(f"writer {i} post {n}")
            record("PATCH message", *call("PATCH", f"{api}/message/{msg}/", {"body": f"writer {i} patch {n}"}, admin))

    def callback(i):
        run = data["runs"][i]
        auth = f"pluginkey {run['pr']}:{run['key']}"
        start.wait()
        for n, job in enumerate(run["jobs"]):
            record("PATCH job", *call("PATCH", f"{api}/PluginResultJob/{job}/", {"state": "Started"}, auth))
            record("PATCH store", *call("PATCH", f"{api}/pluginresult/{run['pr']}/", {"store": {"n": n}}, auth))
            record("PATCH job", *call("PATCH", f"{api}/PluginResultJob/{job}/", {"state": "Completed"}, auth))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=callback, args=(i,)) for i in range(CALLBACKS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "writers still running after 240 s"
    assert not failures, failures[:5]
    assert time.monotonic() - t0 < 240

    final = python(env, CHECK)
    assert len(posted) == WRITERS * ROUNDS
    assert sorted(b for b in final["bodies"].values() if " post " in b) == sorted(posted)
    for i, pk in enumerate(data["messages"]):
        assert final["bodies"][str(pk)] == f"writer {i} patch {ROUNDS - 1}"
    for run in data["runs"]:
        assert final["stores"][str(run["pr"])] == {"n": ROUNDS - 1}
        assert all(final["states"][str(j)] == "Completed" for j in run["jobs"])
