"""POST without the fields a row cannot do without is 400 naming every missing field; nothing is created."""
import pytest

from rundb import models as m

from . import factories


@pytest.mark.parametrize("name, model, expected", [
    ("chip", m.Chip, {"name"}),
    ("dnabarcode", m.dnaBarcode, {"name", "id_str", "sequence", "index"}),
    ("referencegenome", m.ReferenceGenome, {"name", "short_name"}),
    ("template", m.Template, {"name", "key"}),
    ("fileserver", m.FileServer, {"name", "filesPrefix"}),
    ("experiment", m.Experiment, {"unique"}),
])
def test_empty_post_names_the_missing_fields(api, db, name, model, expected):
    before = model.objects.count()
    response = api.post(f"{name}/", {})
    assert response.status_code == 400, response.content
    errors = response.json()["error"]
    assert expected <= set(errors), errors
    assert all("required" in " ".join(errors[field]) for field in expected)
    assert model.objects.count() == before


def test_partial_post_names_only_what_is_missing(api, db):
    response = api.post("librarykey/", {"name": "K1"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"sequence"}
    assert not m.LibraryKey.objects.filter(name="K1").exists()


def test_complete_post_still_creates(api, db):
    response = api.post("librarykey/", {"name": "K1", "sequence": "TCAG", "runMode": "single"})
    assert response.status_code == 201, response.content
    assert m.LibraryKey.objects.filter(name="K1", sequence="TCAG").exists()


def test_a_field_a_hook_fills_in_is_not_required(api, db, admin):
    # project.creator defaults to the caller.
    response = api.post("project/", {"name": "p1"})
    assert response.status_code == 201, response.content
    assert m.Project.objects.get(name="p1").creator == admin[0]


def test_required_to_one_relation_is_named(api, db):
    response = api.post("plannedexperimentqc/", {"threshold": 3})
    assert response.status_code == 400
    assert {"plannedExperiment", "qcType"} <= set(response.json()["error"])


def test_update_does_not_require_absent_fields(api, db):
    exp = factories.experiment()
    response = api.patch(f"experiment/{exp.pk}/", {"notes": "x"})
    assert response.status_code == 202, response.content
