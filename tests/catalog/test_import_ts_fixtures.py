"""import_ts_fixtures on every fixture file of the original server (shared/reference-data/ts-fixtures)."""
import io
import json
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rundb.catalog import import_fixture_file
from rundb.catalog.importer import FILE_KEYS, RUNTYPE_GROUPS, SPECS, label_of
from rundb.models import (
    ApplicationGroup,
    Chip,
    FlowOrder,
    KitInfo,
    KitPart,
    RunType,
    SampleGroupType_CV,
    Template,
    ThreePrimeAdapter,
    dnaBarcode,
)

pytestmark = pytest.mark.django_db

EXPECTED_FILES = {
    "IonCode_Barcodes_1-32.json", "IonSet1.json", "ion_single_seq_barcode_set_1-96.json", "ion_xpress.json",
    "ion_xpress_rna.json", "ionadmin_superuser.json", "template_init.json", "ts_dbData.json",
    "ts_dbData_chips_kits.json",
}


def fixture_paths(folder):
    paths = sorted(folder.glob("*.json"))
    assert EXPECTED_FILES <= {p.name for p in paths}, f"fixture files missing from {folder}"
    return paths


def distinct_keys(paths):
    """Per supported model label: the set of natural keys found in the files."""
    keys = {}
    for path in paths:
        for obj in json.loads(path.read_text()):
            label = label_of(obj)
            if label in SPECS:
                key = tuple(obj["fields"].get(k) for k in FILE_KEYS[label])
                keys.setdefault(label, set()).add(key)
    return keys


def test_every_file_imports_with_counts_matching_its_content(ts_fixtures_dir):
    paths = fixture_paths(ts_fixtures_dir)
    for path in paths:
        objects = json.loads(path.read_text())
        per_model = Counter(label_of(o) for o in objects)
        report = import_fixture_file(path)
        for label, n in per_model.items():
            counts = report.counts[label]
            if label in SPECS or label == RUNTYPE_GROUPS:
                assert counts["created"] + counts["unchanged"] == n, (path.name, label, counts)
                assert counts["skipped"] == 0 and counts["updated"] == 0, (path.name, label, counts)
            else:  # user accounts (not asked for) and models we do not have
                assert counts["skipped"] == n, (path.name, label, counts)
                assert any(label.split(".")[1] in note.lower() for note in report.notes), report.notes

    # The database now holds one row per distinct natural key of each file model.
    for label, keys in distinct_keys(paths).items():
        assert SPECS[label].model.objects.count() == len(keys), label


def test_tables_after_importing_all_files(ts_fixtures_dir, shared_fixture):
    for path in fixture_paths(ts_fixtures_dir):
        import_fixture_file(path)

    xpress = dnaBarcode.objects.filter(name="IonXpress")
    assert sorted(xpress.values_list("id_str", flat=True)) == [f"IonXpress_{i:03d}" for i in range(1, 97)]
    source = {o["fields"]["id_str"]: o["fields"] for o in shared_fixture("ion_xpress.json")}
    for barcode in xpress:
        fields = source[barcode.id_str]
        assert (barcode.sequence, barcode.index, barcode.adapter, barcode.score_mode) == (
            fields["sequence"], fields["index"], fields["adapter"], fields["score_mode"]
        )
    assert dnaBarcode.objects.values("name").distinct().count() == 5

    assert Chip.objects.get(name="520").instrumentType == "S5"
    assert FlowOrder.objects.get(name="Ion samba", isDefault=True).flowOrder.startswith("TACGTACGTCTGAGCATCG")
    # Integer references are primary keys of the same file: flowOrder pk 2 is "Ion samba.gafieira".
    assert KitInfo.objects.get(name="HID S5 Sequencing Kit").defaultFlowOrder.name == "Ion samba.gafieira"
    # List references are natural keys: a 3' adapter by uid, a kit part's kit by uid.
    assert KitInfo.objects.get(name="Ion 521/530 ExT Kit-Chef V1").defaultThreePrimeAdapter.uid == "FWD_0001"
    assert KitPart.objects.get(barcode="4468997").kit.uid == "SEQ0001"
    assert ThreePrimeAdapter.objects.count() == 9
    gens = RunType.objects.get(runType="GENS")
    assert gens.meta == {}  # the file stores it as the text "{}"
    assert set(gens.applicationGroups.values_list("name", flat=True)) == {"DNA", "Metagenomics", "Typing"}
    assert RunType.applicationGroups.through.objects.count() == 23
    assert ApplicationGroup.objects.get(uid="APPLGROUP_0002").name == "RNA"
    assert Template.objects.filter(key="ATCG").count() == 6
    assert SampleGroupType_CV.objects.get(uid="SAMPLEGROUP_CV_0003").displayedName == "Tumor_Normal"
    assert not get_user_model().objects.exists()


def test_unknown_fields_are_counted(ts_fixtures_dir):
    report = import_fixture_file(ts_fixtures_dir / "ts_dbData_chips_kits.json")
    ignored = report.ignored_fields["rundb.kitinfo"]
    assert ignored["cartridgeExpirationDayLimit"] == 1
    assert ignored["defaultCartridgeUsageCount"] == 1
    assert "ignored fields of rundb.kitinfo" in "\n".join(report.lines())


def test_reimport_changes_nothing(ts_fixtures_dir, catalog_snapshot):
    paths = fixture_paths(ts_fixtures_dir)
    for path in paths:
        import_fixture_file(path)
    before = catalog_snapshot()
    for path in paths:
        report = import_fixture_file(path)
        assert report.total("created") == 0 and report.total("updated") == 0, report.lines()
    assert catalog_snapshot() == before


def test_reimport_restores_edited_rows_unless_keeping_existing(ts_fixtures_dir):
    path = ts_fixtures_dir / "ts_dbData_chips_kits.json"
    import_fixture_file(path)
    Chip.objects.filter(name="520").update(description="edited here")

    kept = import_fixture_file(path, update=False)
    assert kept.counts["rundb.chip"]["kept"] == 1
    assert Chip.objects.get(name="520").description == "edited here"

    updated = import_fixture_file(path)
    assert updated.counts["rundb.chip"]["updated"] == 1
    assert Chip.objects.get(name="520").description == "520"


def test_command_prints_per_model_counts_for_a_folder(ts_fixtures_dir):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(ts_fixtures_dir), stdout=out)
    text = out.getvalue()
    assert "ion_xpress.json" in text
    assert re.search(r"rundb\.dnabarcode\s+created 96  updated 0  unchanged 0  skipped 0", text)
    assert re.search(r"rundb\.kitpart\s+created 253 ", text)
    assert re.search(r"rundb\.applproduct\s+created 59 .* skipped 0", text)
    assert re.search(r"rundb\.chefpcrplateconfig\s+created 0 .* skipped 1", text)
    assert "Total: created" in text
    assert dnaBarcode.objects.filter(name="IonXpress").count() == 96


def test_dry_run_reports_but_writes_nothing(ts_fixtures_dir):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(ts_fixtures_dir / "ion_xpress.json"), "--dry-run", stdout=out)
    assert "created 96" in out.getvalue() and "Dry run, nothing changed" in out.getvalue()
    assert not dnaBarcode.objects.exists()
