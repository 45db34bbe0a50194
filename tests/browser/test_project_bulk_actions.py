"""One project's page: tick reports, export them as CSV, remove them from the project (the
reports stay), and read the project's event log in a dialog, where adding and removing show."""
import csv
import io
import json

import pytest
from playwright.sync_api import expect

from data_support import run


@pytest.mark.live
def test_export_remove_and_log(page, live, signed_in, admin):
    from rundb.models import Project, Results

    first = run("bulk_run_a", project="Heme", user=admin, q20=111)
    second = run("bulk_run_b", project="Heme", user=admin, age_days=1)
    third = run("bulk_run_c", project="Heme", user=admin, age_days=2)
    project = Project.objects.get(name="Heme")
    # Added through the data page's action, so the log has an entry for it.
    page.goto(f"{live}/data/")
    added = page.evaluate("""async ([pk, project]) => (await TB.api("POST", `/data/results/${pk}/project/`,
                              {projects: [project]})).status""", [first.pk, project.pk])
    assert added == 200

    page.goto(f"{live}/data/project/{project.pk}/results")
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    expect(page.get_by_role("button", name="Remove Selected from Project")).to_be_disabled()
    page.get_by_role("checkbox", name=f"Select {first.resultsName}").check()
    page.get_by_role("checkbox", name=f"Select {third.resultsName}").check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export Selected as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert rows[0][:3] == ["Report Name", "Run Name", "Status"]
    assert sorted(r[0] for r in rows[1:]) == sorted([first.resultsName, third.resultsName])
    assert next(r for r in rows[1:] if r[0] == first.resultsName)[5] == "111"

    page.get_by_role("button", name="Remove Selected from Project").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove 2 report(s) from this project?")
    dialog.get_by_role("button", name="Yes, Remove").click()
    rows = page.locator("#project-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(second.resultsName)
    assert list(project.results.values_list("pk", flat=True)) == [second.pk]
    assert Results.objects.filter(pk__in=[first.pk, third.pk]).count() == 2  # the reports stay

    page.get_by_role("button", name="View Log").click()
    log = dialog.get_by_role("table", name="Event log of project Heme")
    expect(log).to_contain_text(f"Remove result ({first.pk}) from project.")
    expect(log).to_contain_text(f"Remove result ({third.pk}) from project.")
    expect(log).to_contain_text(f"Add result ({first.pk}) to project.")
    expect(log).to_contain_text("ionadmin")


@pytest.mark.django_db
@pytest.mark.parametrize("body, status", [
    (b"not json", 400), (b"[]", 400), (b'{"results": "x"}', 400), (b'{"results": [1.5e400]}', 400),
    (b'{"results": []}', 400), (b'{"results": {"a": 1}}', 400), (json.dumps({"results": list(range(20000))}).encode(), 400),
    (b'{"results": [999999]}', 200),
])
def test_remove_bad_bodies_are_4xx(client, django_user_model, body, status):
    from rundb.models import Project

    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    project = Project.objects.create(name="P1", creator=user)
    response = client.post(f"/data/project/{project.pk}/results/remove/", body, content_type="application/json")
    assert response.status_code == status, response.content
    assert client.get(f"/data/project/{project.pk}/results/remove/").status_code == 405
    assert client.post("/data/project/999999/results/remove/", b'{"results": [1]}',
                       content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_csv_and_log_of_unknown_or_bad_input(client, django_user_model):
    from rundb.models import Project

    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    project = Project.objects.create(name="P2", creator=user)
    assert client.get("/data/project/999999/getCSV.csv").status_code == 404
    assert client.get("/data/project/999999/log").status_code == 404
    assert client.get(f"/data/project/{project.pk}/getCSV.csv?results=1,x").status_code == 400
    empty = client.get(f"/data/project/{project.pk}/getCSV.csv")
    assert empty.status_code == 200 and empty.content.decode().count("\n") == 1  # the header only
    assert "Nothing has been logged" in client.get(f"/data/project/{project.pk}/log").content.decode()
