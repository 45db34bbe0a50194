"""Data > Completed Runs & Reports: the List View | Table View toggle (remembered), the page
size control, and sorting by every column of the table."""
import pytest
from playwright.sync_api import expect

from data_support import run

pytestmark = [pytest.mark.live]


def table_names(page):
    return page.locator("#runs tbody td.run-name").all_inner_texts()


def test_list_view_cards_show_reports_and_the_choice_is_remembered(page, live, signed_in, admin):
    report = run("card_run", project="Onco", user=admin)
    report.experiment.pgmName = "S5XL-01"
    report.experiment.notes = "low loading on lane 2"
    report.experiment.save()
    page.goto(f"{live}/data/")
    expect(page.locator("#runs")).to_be_visible()
    page.get_by_role("link", name="List View").click()
    card = page.get_by_role("region", name="Run R_2024_01_01_card_run")
    expect(card).to_be_visible()
    expect(page.locator("#runs")).to_have_count(0)
    expect(card).to_contain_text("S5XL-01")
    expect(card).to_contain_text("Flows Complete")
    expect(card).to_contain_text("low loading on lane 2")
    expect(card.locator(".projects")).to_contain_text("Onco")
    row = card.locator(".report-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=report.resultsName)).to_have_attribute("href", f"/report/{report.pk}/")
    # reads 1000, mean 150 bp, Q20 1.5 M, output 2.0 M (tests/browser/data_support.run)
    expect(row).to_contain_text("1000")
    expect(row).to_contain_text("150 bp")
    expect(row).to_contain_text("1.5 M")
    expect(row).to_contain_text("2.0 M")
    expect(row.locator(".report-status")).to_have_text("Completed")
    # The choice sticks: a plain /data/ shows the list again, until Table View is chosen.
    page.goto(f"{live}/data/")
    expect(page.get_by_role("region", name="Run R_2024_01_01_card_run")).to_be_visible()
    page.get_by_role("link", name="Table View").click()
    expect(page.locator("#runs")).to_be_visible()
    page.goto(f"{live}/data/")
    expect(page.locator("#runs")).to_be_visible()


def test_page_size_control(page, live, signed_in):
    for i in range(12):
        run(f"size_run_{i:02d}", age_days=i)
    page.goto(f"{live}/data/")
    expect(page.locator(".pager-total")).to_have_text("1 - 12 of 12")
    page.get_by_label("Page size").select_option("10")
    page.wait_for_url("**per_page=10**")
    expect(page.locator(".pager-total")).to_have_text("1 - 10 of 12")
    assert len(table_names(page)) == 10
    page.get_by_role("link", name="Next").click()
    expect(page.locator(".pager-total")).to_have_text("11 - 12 of 12")
    expect(page.get_by_label("Page size")).to_have_value("10")


def test_every_column_sorts(page, live, signed_in):
    from rundb.models import Experiment, Sample

    a = run("aaa", q20=3_000_000, q0=1_000_000, age_days=2, status="Error: x")
    b = run("bbb", q20=1_000_000, q0=3_000_000, age_days=0, status="Completed")
    c = run("ccc", q20=2_000_000, q0=2_000_000, age_days=1, status="Pending")
    for report, chip, sample, star, rname in ((a, "540", "zeta", False, "rep_m"), (b, "510", "alpha", True, "rep_z"),
                                             (c, "530", "mid", False, "rep_a")):
        exp = report.experiment
        exp.chipType, exp.star = chip, star
        exp.save()
        Sample.objects.create(name=sample, displayedName=sample).experiments.add(exp)
        report.resultsName = rname
        report.save()
    assert Experiment.objects.count() == 3
    A, B, C = "R_2024_01_01_aaa", "R_2024_01_01_bbb", "R_2024_01_01_ccc"
    expected = {  # column: order after the first click, after the second
        "Run Name": ([A, B, C], [C, B, A]),
        "Sample": ([B, C, A], [A, C, B]),
        "Run": ([B, C, A], [A, C, B]),
        "Analysis": ([B, C, A], [A, C, B]),
        "Status": ([B, A, C], [C, A, B]),
        "Chip": ([B, C, A], [A, C, B]),
        "Report Name": ([C, A, B], [B, A, C]),
        "Q20 Bases": ([A, C, B], [B, C, A]),
        "Output": ([B, C, A], [A, C, B]),
    }
    page.goto(f"{live}/data/")
    for column, (first, second) in expected.items():
        header = page.locator("#runs thead th", has=page.get_by_role("link", name=column, exact=True))
        header.get_by_role("link").click()
        expect(header).not_to_have_attribute("aria-sort", "none")
        assert table_names(page) == first, (column, table_names(page))
        state = header.get_attribute("aria-sort")
        header.get_by_role("link").click()
        expect(header).not_to_have_attribute("aria-sort", state)
        assert table_names(page) == second, (column, "again", table_names(page))
    star = page.locator("#runs thead th").first
    star.get_by_role("link").click()
    expect(star).to_have_attribute("aria-sort", "descending")
    assert table_names(page)[0] == B  # favourites first
    star.get_by_role("link").click()
    expect(star).to_have_attribute("aria-sort", "ascending")
    assert table_names(page)[-1] == B
