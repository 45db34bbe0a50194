"""Data > Projects: the project list (name, results count, last modified, creator), creating,
renaming and deleting a project through the project API with its messages beside the field,
and one project's results page."""
import pytest
from playwright.sync_api import expect

from data_support import run

pytestmark = [pytest.mark.live]


def test_create_rename_and_delete_a_project(page, live, signed_in):
    from rundb.models import Project

    page.goto(f"{live}/data/")
    page.get_by_role("navigation", name="Data").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    expect(page.locator("#projects tbody")).to_contain_text("No projects.")

    page.get_by_role("button", name="Create a New Project").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Add Project Name").fill("has spaces")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#error-name")).to_contain_text("no spaces")
    dialog.get_by_label("Add Project Name").fill("Onco_2024")
    dialog.get_by_role("button", name="Save").click()
    row = page.locator("#projects tbody tr", has_text="Onco_2024")
    expect(row).to_be_visible()
    expect(row.locator(".project-count")).to_have_text("0")
    expect(row).to_contain_text("Ion Admin")  # the creator (conftest's admin)
    assert Project.objects.get(name="Onco_2024").creator.username == "ionadmin"

    # The same name again: the API's uniqueness message, shown beside the field.
    page.get_by_role("button", name="Create a New Project").click()
    dialog.get_by_label("Add Project Name").fill("Onco_2024")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#error-name")).to_contain_text("already exists")
    dialog.get_by_role("button", name="Cancel").click()

    row.get_by_role("button", name="edit").click()
    expect(dialog.get_by_label("Add Project Name")).to_have_value("Onco_2024")
    dialog.get_by_label("Add Project Name").fill("Onco_2025")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#projects tbody tr", has_text="Onco_2025")).to_be_visible()
    expect(page.locator("#projects tbody tr", has_text="Onco_2024")).to_have_count(0)

    page.locator("#projects tbody tr", has_text="Onco_2025").get_by_role("button", name="Delete Project").click()
    expect(dialog).to_contain_text("Are you sure you want to delete this project (Onco_2025)?")
    dialog.get_by_role("button", name="Yes, Delete Project").click()
    expect(page.locator("#projects tbody")).to_contain_text("No projects.")
    assert not Project.objects.exists()


def test_project_results_page(page, live, signed_in, admin):
    from rundb.models import ExperimentAnalysisSettings, Project

    first = run("proj_run_a", project="Heme", user=admin)
    second = run("proj_run_b", project="Heme", user=admin, status="Error: disk full", age_days=1)
    run("other_run", project="Onco", user=admin)
    eas = ExperimentAnalysisSettings.objects.create(experiment=first.experiment, reference="hg19")
    first.eas = eas
    first.save()
    project = Project.objects.get(name="Heme")
    page.goto(f"{live}/data/projects/")
    row = page.locator("#projects tbody tr", has_text="Heme")
    expect(row.locator(".project-count")).to_have_text("2")
    expect(page.locator("#projects tbody tr", has_text="Onco").locator(".project-count")).to_have_text("1")
    row.get_by_role("link", name="Heme").click()
    page.wait_for_url(f"{live}/data/project/{project.pk}/results")
    expect(page.get_by_role("heading", name="Project Heme")).to_be_visible()
    rows = page.locator("#project-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(first.resultsName)
    expect(rows.nth(0)).to_contain_text("hg19")
    expect(rows.nth(1)).to_contain_text("Error: disk full")
    expect(page.locator("#project-results")).not_to_contain_text("other_run")
    page.get_by_label("Search Names").fill(second.resultsName)
    page.get_by_role("button", name="Go").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=second.resultsName).click()
    page.wait_for_url(f"{live}/report/{second.pk}/**")
