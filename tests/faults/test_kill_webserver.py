"""SIGKILL of the web server (gunicorn, all workers) while 50 plugin jobs call back: the jobs'
final callbacks cannot connect, yet the job service settles each from its exit code and
reads its results.json; the restarted server serves them all."""
import time

import pytest
import requests

from faults_support import WebProcess, free_port, report_recovery
from rundb.api.keys import issue_key

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_webserver_killed_while_jobs_call_back(fault_grid, settings):
    run = fault_grid
    web = WebProcess(run.grid.work, free_port()).start()
    try:
        # Jobs call back to the gunicorn server, not to the test's live server.
        settings.ION_NET_LOCATION = web.url
        settings.ION_API_URL = web.url + "/rundb/api/"
        run.grid.service.start()
        analysis = run.start_analysis()
        run.launch_many(50)
        run.wait_started(20)

        t0 = time.monotonic()
        web.kill()
        run.flag.touch()  # the jobs end while nobody answers their callbacks
        run.wait_all_final()
        settled = time.monotonic() - t0
        web.start()
        key = issue_key(run.grid.user)
        response = requests.get(f"{web.url}/rundb/api/v1/pluginresult/?limit=100&result={run.grid.report.pk}",
                                headers={"Authorization": f"ApiKey ionadmin:{key}"}, timeout=30)
        assert response.status_code == 200, response.text[:500]
        assert response.json()["meta"]["total_count"] == 50
        counts = run.verify()
        report_recovery("kill -9 web server", settled, counts)
        assert analysis.pk and counts["lost"] == counts["duplicated"] == 0
    finally:
        web.stop()
