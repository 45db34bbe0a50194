"""Scenario 9: "Add Report to Project" on a run row: tick a project, confirm; the dialog
closes and the row's project labels include it (and the project's event log says so)."""
import pytest
from playwright.sync_api import expect

from data_support import run

pytestmark = [pytest.mark.live]


def test_add_report_to_project(page, live, signed_in, admin):
    from rundb.models import EventLog, Project

    report = run("proj_run")
    Project.objects.create(name="Immuno", creator=admin)
    Project.objects.create(name="Neuro", creator=admin)
    page.goto(f"{live}/data/")
    row = page.locator("#runs tbody tr", has_text="proj_run")
    row.get_by_role("button", name="Add Report to Project").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Neuro").check()
    dialog.get_by_role("button", name="Add Result(s) to Project(s)").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#runs tbody tr", has_text="proj_run").locator(".projects")).to_have_text("Neuro")
    assert list(report.projects.values_list("name", flat=True)) == ["Neuro"]
    assert EventLog.objects.filter(object_pk=Project.objects.get(name="Neuro").pk,
                                   text__contains=str(report.pk)).exists()
