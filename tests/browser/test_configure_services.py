"""Configure > Services: job service state, Grid Engine queues, active jobs with Terminate."""
import shutil

import pytest
from playwright.sync_api import expect

from launch_support import create_report

pytestmark = [pytest.mark.live]


def test_services_page_and_terminate(page, live, signed_in):
    from rundb.models import AnalysisJob

    report = create_report()
    job = AnalysisJob.objects.create(result=report)
    page.goto(f"{live}/configure/services/")
    expect(page.locator("#job-service")).to_have_text("Down")  # no job service in this test
    if shutil.which("qstat"):
        expect(page.locator("#queues")).to_contain_text("all.q")
    else:
        expect(page.locator("#queue-error")).to_be_visible()
    row = page.locator(f"#active-jobs tr[data-kind='analysis'][data-id='{job.pk}']")
    expect(row).to_contain_text(report.resultsName)
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Terminate").click()
    expect(row).to_contain_text("Job is being terminated")
    job.refresh_from_db()
    assert job.cancel_requested


def test_services_running_with_job_service(page, live, signed_in, job_service, settings):
    from web_support import wait_for

    # The web process finds the service by its lock: same state folder and job-name prefix.
    settings.ION_JOB_STATE_DIR = str(job_service.workdir / "jobstate")
    settings.ION_JOB_NAME_PREFIX = job_service.prefix

    def running():
        page.goto(f"{live}/configure/services/?queues=0")
        return page.locator("#job-service").inner_text() == "Running"

    wait_for(page, running, timeout=60, every=1)
