"""iondb/warmup.py: what config/gunicorn.conf.py runs in the master before forking workers
(or in each worker with GUNICORN_PRELOAD=0). It must leave every API resource's dehydration
compiled and the URL resolver built, and no database connection open: a connection opened in
the master would be shared by every forked worker."""
import json
import subprocess
import sys

from infra_env import ROOT, clean_env

CODE = """
import json, django
django.setup()
from django.db import connections
from django.urls import get_resolver
from rundb.api.api import v1_api
from iondb.warmup import warm_up
connections["default"].ensure_connection()  # as an app's ready() hook might have done
warm_up()
print(json.dumps({
    "compiled": sum(1 for r in v1_api._registry.values() if getattr(r, "_steps", None)),
    "uncompiled": sorted(n for n, r in v1_api._registry.items() if hasattr(r, "steps") and r._steps is None),
    "resolver_ready": get_resolver()._populated,
    "open": [c.alias for c in connections.all() if c.connection is not None],
}))
"""


def test_warm_up_compiles_every_resource_and_leaves_no_connection_open(tmp_path):
    proc = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=clean_env(ION_VAR_DIR=tmp_path / "var"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state.pop("compiled") > 50
    assert state == {"uncompiled": [], "resolver_ready": True, "open": []}


def test_gunicorn_config_preloads_and_warms_in_the_master_by_default():
    code = ("import runpy, json; c = runpy.run_path('config/gunicorn.conf.py'); "
            "print(json.dumps([c['preload_app'], c['threads'], callable(c['when_ready'])]))")
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True,
                             text=True, timeout=60)
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(GUNICORN_PRELOAD="0"),
                         capture_output=True, text=True, timeout=60)
    assert json.loads(default.stdout) == [True, 2, True], default.stderr
    assert json.loads(off.stdout)[0] is False, off.stderr
