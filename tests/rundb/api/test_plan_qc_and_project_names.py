"""plannedexperiment refuses QC thresholds outside their type's range (a 400 naming the QC type,
not a 500) and project names the web UI cannot filter by; the project resource keeps the same
name rule."""
import pytest

from rundb import models as m

BASE = {"planName": "qc plan", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s1"}


@pytest.mark.parametrize("value", ["abc", 101, -1, "4.5"])
def test_bad_qc_threshold_is_400(api, catalog, value):
    response = api.post("plannedexperiment/", {**BASE, "Bead Loading (%)": value})
    assert response.status_code == 400, response.content
    assert "from 0 to 100" in " ".join(response.json()["error"]["Bead Loading (%)"])
    assert not m.PlannedExperiment.objects.filter(planDisplayedName="qc plan").exists()


def test_good_qc_threshold_is_saved(api, catalog):
    response = api.post("plannedexperiment/", {**BASE, "Bead Loading (%)": "55"})
    assert response.status_code == 201, response.content
    assert response.json()["qcValues"][0]["threshold"] == 55


@pytest.mark.parametrize("projects", [["has space"], "ok,bad name", [7]])
def test_bad_project_names_are_400(api, catalog, projects):
    response = api.post("plannedexperiment/", {**BASE, "projects": projects})
    assert response.status_code == 400, response.content
    assert "projects" in response.json()["error"]
    assert not m.Project.objects.exists()


def test_project_resource_name_rule(api, catalog):
    assert api.post("project/", {"name": "two words"}).status_code == 400
    assert api.post("project/", {"name": "x" * 65}).status_code == 400
    created = api.post("project/", {"name": "Onco-1.v2"})
    assert created.status_code == 201, created.content
    pk = m.Project.objects.get(name="Onco-1.v2").pk
    bad = api.patch(f"project/{pk}/", {"name": "-lead"})
    assert bad.status_code == 400 and "name" in bad.json()["error"]
    assert m.Project.objects.get(pk=pk).name == "Onco-1.v2"
