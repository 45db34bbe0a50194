"""Scenarios 6-8 and the CSV export on Data > Completed Runs & Reports: text search, star
toggling and the Favorites filter, Status + Project filters, paging, CSV of the filtered runs."""
import csv
import io

import pytest
from playwright.sync_api import expect

from data_support import run

pytestmark = [pytest.mark.live]


def names(page):
    return sorted(page.locator("#runs tbody td.run-name").all_inner_texts())


def test_star_and_favorites_filter(page, live, signed_in):
    run("alpha_run")
    run("beta_run")
    page.goto(f"{live}/data/")
    row = page.locator("#runs tbody tr", has_text="alpha_run")
    star = row.get_by_role("button", name="Star R_2024_01_01_alpha_run")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_have_text("★")
    from rundb.models import Experiment
    assert Experiment.objects.get(expName="R_2024_01_01_alpha_run").star is True
    page.get_by_label("Favorites").select_option("true")
    page.wait_for_url("**star=true**")
    assert names(page) == ["R_2024_01_01_alpha_run"]


def test_status_and_project_filters(page, live, signed_in, admin):
    run("ok_run", project="Onco", user=admin)
    run("bad_run", status="Error: basecaller failed", project="Onco", user=admin)
    run("bad_other_project", status="Error: disk full", project="Heme", user=admin)
    page.goto(f"{live}/data/")
    assert len(names(page)) == 3
    page.get_by_label("Status:").select_option("Error")
    page.wait_for_url("**result_status=Error**")
    assert names(page) == ["R_2024_01_01_bad_other_project", "R_2024_01_01_bad_run"]
    page.get_by_label("Project:").select_option("Onco")
    page.wait_for_url("**project=Onco**")
    assert names(page) == ["R_2024_01_01_bad_run"]
    expect(page.locator("#runs tbody tr").first).to_contain_text("Error: basecaller failed")
    expect(page.locator(".pager-total")).to_have_text("1 - 1 of 1")


def test_search_paging_and_csv(page, live, signed_in):
    from rundb.models import GlobalConfig
    GlobalConfig.objects.create(records_to_display=2) if not GlobalConfig.objects.exists() else \
        GlobalConfig.objects.update(records_to_display=2)
    for i in range(5):
        run(f"page_run_{i}", age_days=i)
    run("needle_run")
    page.goto(f"{live}/data/")
    expect(page.locator(".pager-total")).to_have_text("1 - 2 of 6")
    page.get_by_role("link", name="Next").click()
    expect(page.locator(".pager-total")).to_have_text("3 - 4 of 6")
    page.get_by_label("Search").fill("needle")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".pager-total")).to_have_text("1 - 1 of 1")
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download filtered results as CSV").click()
    assert dl.value.suggested_filename.startswith("metrics_") and dl.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path()).read())))
    assert [r["Run Name"] for r in rows] == ["R_2024_01_01_needle_run"]
    assert rows[0]["Q20 Bases"] == "1500000"
