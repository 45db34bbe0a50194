"""Scenario 20 (Monitor > Runs in Progress while a run transfers, auto refresh, the report's
"still being generated" banner until completion) and scenario 5 (Home: the Runs time span)."""
import pytest
from playwright.sync_api import expect

from data_support import run

pytestmark = [pytest.mark.live]


def test_monitor_transfer_then_report_banner(page, live, signed_in):
    report = run("live_run", status="Started", ftp_status="120", flows=260)
    page.goto(f"{live}/monitor/?refresh=1")
    row = page.locator(f"#monitor-rows tr[data-report='{report.pk}']")
    expect(row.locator(".status")).to_contain_text("120 / 260 flows")
    expect(row.locator("progress")).to_have_attribute("value", "120")
    expect(row).to_contain_text("80.0%")   # Loading = bead / addressable
    expect(row).to_contain_text("95.0%")   # Live ISPs = live / bead
    expect(row).to_contain_text("87")      # Key Signal
    exp = report.experiment
    exp.ftpStatus = "Complete"
    exp.save()
    expect(row.locator(".status")).to_have_text("Started", timeout=10_000)   # refreshed without reloading

    row.get_by_role("link", name=report.resultsName).click()
    expect(page).to_have_url(f"{live}/report/{report.pk}/")
    page.goto(f"{live}/report/{report.pk}/?poll=1")
    banner = page.get_by_role("status").filter(has_text="This report is still being generated.")
    expect(banner).to_be_visible()
    report.status = "Completed"
    report.save()
    expect(page.locator("#progress-banner")).to_contain_text("The report has been completed", timeout=10_000)
    expect(page.locator("#progress-banner")).to_have_count(0, timeout=15_000)  # reloaded


def test_home_time_span(page, live, signed_in):
    recent = run("recent_run", age_days=0.1)  # 2.4 hours ago
    old = run("three_day_old_run", age_days=3)
    page.goto(f"{live}/home/")
    runs = page.locator("#runs-list")
    expect(runs.locator(f"tr[data-report='{recent.pk}']")).to_be_visible()
    expect(runs.locator(f"tr[data-report='{old.pk}']")).to_have_count(0)
    with page.expect_response("**/home/fragments?time_span=7days") as resp:
        page.get_by_label("Time span").select_option("7days")
    assert resp.value.status == 200
    row = runs.locator(f"tr[data-report='{old.pk}']")
    expect(row).to_be_visible()
    expect(row.get_by_label("stage tracker")).to_be_visible()
    expect(row.get_by_role("link", name="Run Report")).to_have_attribute("href", f"/report/{old.pk}/")
    page.get_by_label("Time span").select_option("hour")
    expect(runs).to_contain_text("No runs performed within the last hour.")


def test_reanalyze_from_report(page, live, signed_in):
    from rundb.models import AnalysisJob, Results

    report = run("reanalyse_me")
    page.goto(f"{live}/report/{report.pk}/")
    page.get_by_text("Report Actions ▾").click()
    page.get_by_role("button", name="Reanalyze").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Report Name").fill("second look")
    dialog.get_by_role("button", name="Start Analysis").click()
    page.wait_for_url(lambda url: f"/report/{report.pk}/" not in url)
    new = Results.objects.exclude(pk=report.pk).get(experiment=report.experiment)
    assert new.resultsName == "second_look"
    assert AnalysisJob.objects.filter(result=new).exists()
    expect(page).to_have_url(f"{live}/report/{new.pk}/")
    expect(page.locator("#progress-banner")).to_contain_text("This report is still being generated.")
    expect(page.get_by_label("Reports")).to_contain_text("reanalyse_me")


def test_monitor_keeps_week_old_transfers(page, live, signed_in):
    stuck = run("stuck_transfer", status="Pending", ftp_status="40", age_days=5)
    done = run("old_done", age_days=5)
    page.goto(f"{live}/monitor/")
    expect(page.locator(f"#monitor-rows tr[data-report='{stuck.pk}']")).to_contain_text("40 / 260 flows")
    expect(page.locator(f"#monitor-rows tr[data-report='{done.pk}']")).to_have_count(0)
