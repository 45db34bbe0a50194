"""References between fixture objects: natural keys, primary keys within the file, missing targets."""
import pytest

from rundb.catalog import import_fixture_file
from rundb.models import KitInfo, KitPart, RunType

pytestmark = pytest.mark.django_db

KIT = {"model": "rundb.kitinfo", "pk": 7, "fields": {"name": "Kit A", "uid": "SEQ9001", "kitType": "SequencingKit"}}


def test_integer_reference_is_a_primary_key_in_the_same_file(write_fixture):
    path = write_fixture([{"model": "rundb.kitpart", "pk": 1, "fields": {"barcode": "P-1", "kit": 7}}, KIT])
    report = import_fixture_file(path)
    assert KitPart.objects.get(barcode="P-1").kit.name == "Kit A"
    assert report.counts["rundb.kitpart"]["created"] == 1


def test_natural_key_reference_finds_rows_imported_earlier(write_fixture):
    import_fixture_file(write_fixture([KIT], name="kits.json"))
    import_fixture_file(write_fixture([{"model": "rundb.kitpart", "pk": 1, "fields": {"barcode": "P-2", "kit": ["SEQ9001"]}}]))
    assert KitPart.objects.get(barcode="P-2").kit.uid == "SEQ9001"


def test_part_of_an_unknown_kit_is_skipped_with_a_note(write_fixture):
    path = write_fixture([{"model": "rundb.kitpart", "pk": 1, "fields": {"barcode": "P-3", "kit": ["NOPE"]}}])
    report = import_fixture_file(path)
    assert not KitPart.objects.exists()
    assert report.counts["rundb.kitpart"]["skipped"] == 1
    assert any("unknown rundb.kitinfo" in note for note in report.notes)


def test_optional_reference_outside_the_file_is_left_empty(write_fixture):
    kit = {**KIT, "fields": {**KIT["fields"], "defaultFlowOrder": 42}}
    report = import_fixture_file(write_fixture([kit]))
    assert KitInfo.objects.get(uid="SEQ9001").defaultFlowOrder is None
    assert any("pk 42, which is not in this file" in note for note in report.notes)


def test_run_type_groups_by_primary_key_in_file(write_fixture):
    path = write_fixture([
        {"model": "rundb.runtype", "pk": 3, "fields": {"runType": "TARS", "meta": "{}"}},
        {"model": "rundb.applicationgroup", "pk": 9, "fields": {"uid": "APPLGROUP_0009", "name": "Immune"}},
        {"model": "rundb.runtype_applicationgroups", "pk": 1, "fields": {"runtype": 3, "applicationgroup": 9}},
        {"model": "rundb.runtype_applicationgroups", "pk": 2, "fields": {"runtype": ["TARS"], "applicationgroup": ["APPLGROUP_0009"]}},
    ])
    report = import_fixture_file(path)
    assert list(RunType.objects.get(runType="TARS").applicationGroups.values_list("name", flat=True)) == ["Immune"]
    assert report.counts["rundb.runtype_applicationgroups"] == {"created": 1, "unchanged": 1}


def test_kit_found_by_uid_is_renamed_in_place(write_fixture):
    import_fixture_file(write_fixture([KIT], name="old.json"))
    renamed = {**KIT, "fields": {**KIT["fields"], "name": "Kit A v2"}}
    report = import_fixture_file(write_fixture([renamed], name="new.json"))
    assert report.counts["rundb.kitinfo"]["updated"] == 1
    assert list(KitInfo.objects.values_list("name", flat=True)) == ["Kit A v2"]
