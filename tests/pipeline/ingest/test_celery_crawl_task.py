"""The beat-scheduled `crawl` task runs a crawl (eagerly here)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from iondb.celery import app
from pipeline.tasks import crawl
from rundb.models import Experiment, Results

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def eager():
    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def test_crawl_task(eager, complete_run):
    complete_run()
    data = crawl.delay().get()
    assert data["outcomes"][0]["action"] == "created"
    assert Experiment.objects.count() == 1 and Results.objects.count() == 1


def test_beat_schedule_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["crawl-run-folders"]
    assert entry["task"] == crawl.name == "pipeline.tasks.crawl"
    assert entry["schedule"] > 0



def test_worker_registers_the_crawl_task():
    """A worker imports only autodiscovered modules: the beat entry must name a known task.

    Needs `pipeline.tasks` in the Celery app's imports (settings CELERY_IMPORTS, or
    autodiscover_tasks(["pipeline"]) in iondb/celery.py). Checked in a fresh interpreter,
    as a worker starts.
    """
    code = (
        "import django; django.setup()\n"
        "from iondb.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('pipeline.tasks.crawl' in app.tasks)\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="iondb.settings")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
