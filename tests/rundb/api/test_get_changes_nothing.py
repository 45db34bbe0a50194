"""GET on any action endpoint (install, rescan, uninstall, stop, launch, re-analyse, ...) changes
no database row and no file: the state-changing ones answer 405, the others only read."""
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from rundb import models as m
from rundb.api.access import sample_path, walk_routes

from . import factories

pytestmark = pytest.mark.django_db

PLUGIN_PY = """from ion.plugin import *


class {name}(IonPlugin):
    version = "1.0.0.0"

    def launch(self, data=None):
        return True


if __name__ == "__main__":
    PluginCLI()
"""


def _db_state():
    models = list(apps.get_app_config("rundb").get_models()) + [get_user_model()]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def _file_state(root):
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            out[os.path.relpath(os.path.join(folder, name), root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


@pytest.fixture
def world(db, tmp_path):
    storage = m.ReportStorage.objects.create(name="Home", dirPath=str(settings.ION_REPORT_ROOT),
                                             webServerPath="/output/Home", default=True)
    raw = Path(settings.ION_RESULTS_ROOT) / "PGM" / "R_run"
    raw.mkdir(parents=True)
    exp = factories.experiment("R_run", expDir=str(raw), unique=str(raw))
    result = factories.result(exp, "Auto_R_run")
    assert result.reportstorage == storage
    result.report_dir.mkdir(parents=True)
    plugins = Path(settings.ION_PLUGIN_ROOT)
    for name in ("Foo", "Hand"):  # Hand is on disk but not registered: a rescan would add it
        (plugins / name / "pluginMedia").mkdir(parents=True)
        (plugins / name / f"{name}.py").write_text(PLUGIN_PY.format(name=name))
    (plugins / "Foo" / "pluginMedia" / "app.css").write_text("body{}")
    plugin = factories.plugin("Foo", version="1.0.0.0", path=str(plugins / "Foo"), script="Foo.py", selected=True)
    admin, key = factories.user("ionadmin", superuser=True)
    pr = factories.plugin_result(result, plugin, admin, state="Queued", started=False)
    return {"result": result, "experiment": exp, "plugin": plugin, "pluginresult": pr, "key": key}


def _values(route, world):
    path = sample_path(route.parts)
    pk = 1
    for prefix, obj in (("/rundb/api/v1/results/", "result"), ("/rundb/api/v1/experiment/", "experiment"),
                        ("/rundb/api/v1/pluginresult/", "pluginresult"), ("/rundb/api/v1/plugin/", "plugin")):
        if path.startswith(prefix):
            pk = world[obj].pk
            break
    return {"pk": pk, "ident": "Foo", "function": "info", "name": "Foo", "path": "app.css"}


def test_get_on_action_routes_changes_nothing(world):
    routes = [r for r in walk_routes() if hasattr(r.callback, "ion_permission")]
    assert len(routes) >= 10
    client = Client(HTTP_AUTHORIZATION=f"ApiKey ionadmin:{world['key']}")
    db_before, files_before = _db_state(), _file_state(settings.ION_RESULTS_ROOT)
    answers = {}
    for route in routes:
        url = sample_path(route.parts, _values(route, world))
        resp = client.get(url)
        assert resp.status_code < 500, (url, resp.status_code)
        methods = getattr(route.callback, "ion_methods", None)  # pages and routes without it: GET only
        if methods is not None and "GET" not in methods:
            assert resp.status_code == 405, (url, resp.status_code)
        answers[url] = resp.status_code
        assert _db_state() == db_before, f"GET {url} changed the database"
        assert _file_state(settings.ION_RESULTS_ROOT) == files_before, f"GET {url} changed files"
    wanted = {
        "/rundb/api/v1/plugin/rescan/": 405,
        f"/rundb/api/v1/pluginresult/{world['pluginresult'].pk}/stop/": 405,
        f"/rundb/api/v1/plugin/{world['plugin'].pk}/uninstall/": 405,
        f"/rundb/api/v1/results/{world['result'].pk}/reanalyze/": 405,
        f"/rundb/api/v1/results/{world['result'].pk}/plugin/": 405,
        f"/rundb/api/v1/results/{world['result'].pk}/pluginresults/": 200,
    }
    assert {url: answers.get(url) for url in wanted} == wanted
