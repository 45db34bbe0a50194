"""SIGTERM is a clean stop: the job service leaves no queued work behind (what it had not
submitted is submitted once by the next service), and gunicorn finishes the requests in
flight before it exits."""
import signal
import threading
import time

import pytest
import requests

from faults_support import WebProcess, free_port
from rundb.api.keys import issue_key
from rundb.models import PluginResultJob
from sgeutil import wait_until

ROWS = 2000
pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_jobservice_sigterm_keeps_queued_work(fault_grid):
    run = fault_grid
    run.flag.touch()  # jobs end as soon as they run
    run.launch_many(40, fail_every=10)
    run.grid.service.start(ION_JOB_BATCH="4")  # small passes, so SIGTERM lands between submissions
    ids = [j.job.pk for j in run.jobs]
    wait_until(lambda: PluginResultJob.objects.filter(pk__in=ids, grid_engine_jobid__isnull=False).exists(),
               timeout=60, interval=0.05, what="the first submission")
    run.grid.service.proc.send_signal(signal.SIGTERM)
    assert run.grid.service.proc.wait(timeout=60) == 0, run.grid.service.log_text()
    submitted = PluginResultJob.objects.filter(pk__in=ids, grid_engine_jobid__isnull=False).count()
    run.grid.service.start()
    run.wait_all_final()
    counts = run.verify()
    print(f"\nSIGTERM after {submitted} of 40 submissions; then {counts}")
    assert submitted < 40, "SIGTERM came after every submission: nothing was left queued"
    assert counts["lost"] == counts["duplicated"] == 0


def test_gunicorn_sigterm_finishes_requests_in_flight(fault_grid, tmp_path):
    run = fault_grid
    from rundb.models import PluginResult
    plugin = run.plugin("FaultA")  # many plugin results: a list that takes a while to serialise
    PluginResult.objects.bulk_create([PluginResult(result=run.grid.report, plugin=plugin, owner=run.grid.user)
                                      for _ in range(ROWS)])
    # A loaded CI machine serialises these lists slowly: give the stop more than the 30 s default.
    web = WebProcess(tmp_path, free_port(), GUNICORN_GRACEFUL_TIMEOUT="120").start()
    key = issue_key(run.grid.user)
    headers = {"Authorization": f"ApiKey ionadmin:{key}"}
    answers, finished, started = [], [], threading.Barrier(9)

    def fetch():
        started.wait()
        try:
            r = requests.get(f"{web.url}/rundb/api/v1/pluginresult/?limit=0", headers=headers, timeout=60)
            answers.append((r.status_code, len(r.json()["objects"])))
            finished.append(time.monotonic())
        except Exception as exc:  # recorded, asserted below
            answers.append((repr(exc), 0))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(1.0)  # accepted and being served (each takes a few seconds)
    term_at = time.monotonic()
    web.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(timeout=90)
    assert web.proc.wait(timeout=60) == 0
    assert answers == [(200, ROWS)] * 8
    assert max(finished) > term_at, "every request ended before SIGTERM: nothing was in flight"
