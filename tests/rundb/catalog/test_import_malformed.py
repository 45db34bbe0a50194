"""Broken or foreign files give a clear error and leave the database exactly as it was."""
import pytest
from django.core.management import CommandError, call_command

from rundb.catalog import FixtureError, import_fixture_file
from rundb.models import Chip, dnaBarcode

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "content, message",
    [
        ('[{"model": "rundb.chip", "fields": {"name": "520"}', "not valid JSON"),
        ("", "not valid JSON"),
        ('{"model": "rundb.chip", "fields": {}}', "not a Django fixture: expected a JSON list"),
        ('["rundb.chip"]', "object #0 is not a JSON object"),
        ('[{"fields": {"name": "520"}}]', "object #0 has no 'model'"),
        ('[{"model": "chip", "fields": {"name": "520"}}]', "object #0 has no 'model'"),
        ('[{"model": "rundb.chip", "pk": 1}]', "object #0 (rundb.chip) has no 'fields'"),
    ],
)
def test_not_a_fixture(write_fixture, catalog_snapshot, content, message):
    path = write_fixture(content)
    before = catalog_snapshot()
    with pytest.raises(CommandError, match="Nothing was imported") as err:
        call_command("import_ts_fixtures", str(path))
    assert message in str(err.value) and str(path) in str(err.value)
    assert catalog_snapshot() == before


def test_a_bad_object_rolls_back_the_whole_file(write_fixture, project_rows, catalog_snapshot):
    objects = project_rows("rundb.dnabarcode", kit="IonXpress", limit=5)
    objects[3]["fields"]["index"] = "fourth"
    path = write_fixture(objects)
    before = catalog_snapshot()
    with pytest.raises(FixtureError, match=r"object #3 \(rundb.dnabarcode\): field 'index'"):
        import_fixture_file(path)
    assert catalog_snapshot() == before
    with pytest.raises(CommandError, match="This file was not imported"):
        call_command("import_ts_fixtures", str(path))
    assert not dnaBarcode.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": "x" * 200, "instrumentType": "S5"}, "field 'name' is longer than 128"),
        ({"name": "520", "slots": "two"}, "field 'slots'"),
        ({"name": "520", "isActive": [True]}, "field 'isActive' should be true/false"),
        ({"name": "520", "slots": True}, "field 'slots' should be a number"),
        ({"name": "520", "description": {"a": 1}}, "field 'description' should be text"),
    ],
)
def test_bad_values_name_the_field(write_fixture, fields, message):
    path = write_fixture([{"model": "rundb.chip", "pk": 1, "fields": {"name": "314"}},
                          {"model": "rundb.chip", "pk": 2, "fields": fields}])
    with pytest.raises(FixtureError, match=message):
        import_fixture_file(path)
    assert not Chip.objects.exists()


def test_bad_json_text_in_a_json_field(write_fixture):
    path = write_fixture([{"model": "rundb.runtype", "pk": 1, "fields": {"runType": "GENS", "meta": "{oops"}}])
    with pytest.raises(FixtureError, match="field 'meta' is not valid JSON text"):
        import_fixture_file(path)


def test_one_bad_file_among_several_imports_none(project_rows, write_fixture, catalog_snapshot):
    good = write_fixture(project_rows("rundb.dnabarcode", kit="IonXpress"), name="ion_xpress.json")
    bad = write_fixture("not json at all", name="broken.json")
    before = catalog_snapshot()
    with pytest.raises(CommandError, match="broken.json: not valid JSON"):
        call_command("import_ts_fixtures", str(good), str(bad))
    assert catalog_snapshot() == before


def test_missing_file_and_empty_folder(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_ts_fixtures", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="holds no \\*.json files"):
        call_command("import_ts_fixtures", str(tmp_path))


def test_objects_without_a_natural_key_are_skipped_with_a_note(write_fixture):
    path = write_fixture([{"model": "rundb.chip", "pk": 1, "fields": {"description": "no name"}},
                          {"model": "rundb.chip", "pk": 2, "fields": {"name": "530"}}])
    report = import_fixture_file(path)
    assert report.counts["rundb.chip"]["skipped"] == 1 and report.counts["rundb.chip"]["created"] == 1
    assert any("no natural key (name)" in note for note in report.notes)


def test_an_empty_fixture_is_valid(write_fixture):
    report = import_fixture_file(write_fixture("[]"))
    assert report.counts == {} and report.total("created") == 0
