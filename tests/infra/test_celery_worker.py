"""The Celery app is real: a task goes through Redis to a worker process and its result comes back.

With REDIS_URL unset the worker test is skipped on a developer machine but fails in CI
(env CI set), where Redis must be running. Without Redis, tasks run eagerly in-process.
"""
import hashlib
import json
import os
import subprocess
import sys
import uuid

import pytest
from infra_env import ROOT, clean_env, start_celery_worker, stop

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def celery_worker(tmp_path):
    """A `celery -A iondb worker --pool=solo` on a queue of its own; yields (queue, process)."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set in CI: the suite must run a real Celery worker on Redis")
        pytest.skip("REDIS_URL not set: no Redis to run a Celery worker against")
    queue = f"test-{uuid.uuid4().hex[:12]}"  # other test runs may share this Redis
    log = open(tmp_path / "worker.log", "w+")
    env = clean_env(REDIS_URL=REDIS_URL, CELERY_QUEUE=queue, ION_VAR_DIR=tmp_path / "var")
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    proc = start_celery_worker(queue, env, log)
    try:
        yield queue, proc
    finally:
        stop(proc)  # SIGTERM: warm shutdown
        log.seek(0)
        print("--- worker log ---\n" + log.read())
        log.close()


def test_task_runs_in_a_worker_through_redis(celery_worker):
    from iondb.celery import app
    from rundb.tasks import ping

    queue, proc = celery_worker
    assert not app.conf.task_always_eager, "REDIS_URL is set, so tasks must not run eagerly"
    assert app.conf.broker_url == REDIS_URL
    result = ping.apply_async(args=["through redis"], queue=queue)
    value = result.get(timeout=90)
    assert value["payload"] == "through redis"
    assert value["sha256"] == hashlib.sha256(b"through redis").hexdigest()
    # --pool=solo runs tasks in the worker's main process: proof it was not this one.
    assert value["pid"] == proc.pid != os.getpid()
    assert result.status == "SUCCESS"


def test_without_redis_tasks_run_eagerly_in_the_caller(tmp_path):
    code = (
        "import json, os\n"
        "import django; django.setup()\n"
        "from iondb.celery import app\n"
        "from rundb.tasks import ping\n"
        "r = ping.delay('eager')\n"
        "print(json.dumps({'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url,"
        " 'value': r.get(timeout=5), 'pid': os.getpid()}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(ION_VAR_DIR=tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["eager"] is True and out["broker"] == "memory://"
    assert out["value"]["payload"] == "eager" and out["value"]["pid"] == out["pid"]
