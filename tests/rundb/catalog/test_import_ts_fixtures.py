"""import_ts_fixtures on a lab's own Torrent Suite dumpdata files (small dumps written here)."""
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

SAMBA = "TACGTACGTCTGAGCATCGATCGATGTACAGC"

# As a Torrent Suite server dumps them: database ids, integer references to objects of the
# same file, natural keys (one-element lists) for others, fields and models we do not have.
CHIPS_KITS = [
    {"model": "rundb.flowOrder", "pk": 1, "fields": {"name": "Ion samba", "flowOrder": SAMBA, "isDefault": True,
                                                     "isSystem": True, "isActive": True, "description": "samba"}},
    {"model": "rundb.flowOrder", "pk": 2, "fields": {"name": "Lab order", "flowOrder": "TACGTACG" * 2,
                                                     "isDefault": False, "isSystem": False, "isActive": True,
                                                     "description": "our own"}},
    {"model": "rundb.threeprimeadapter", "pk": 1, "fields": {"uid": "FWD_0001", "name": "Ion P1B",
                                                             "direction": "Forward", "runMode": "single",
                                                             "isDefault": True, "chemistryType": "",
                                                             "sequence": "ATCACCGACTGCCCATAGAGAGGCTGAGAC",
                                                             "description": "Default forward adapter"}},
    {"model": "rundb.chip", "pk": 1, "fields": {"name": "520", "slots": 1, "description": "520", "isActive": True,
                                                "instrumentType": "S5"}},
    {"model": "rundb.chip", "pk": 2, "fields": {"name": "530", "slots": 1, "description": "530", "isActive": True,
                                                "instrumentType": "S5"}},
    {"model": "rundb.kitinfo", "pk": 20001, "fields": {"kitType": "SequencingKit", "name": "Lab Seq Kit",
                                                       "uid": "SEQ9001", "flowCount": 500, "instrumentType": "S5",
                                                       "isActive": True, "description": "", "defaultFlowOrder": 2,
                                                       "cartridgeExpirationDayLimit": 8, "chefScriptRevision": "r2"}},
    {"model": "rundb.kitinfo", "pk": 20002, "fields": {"kitType": "TemplatingKit", "name": "Lab Chef Kit",
                                                       "uid": "TEMPLT9001", "flowCount": 0, "isActive": True,
                                                       "description": "", "defaultThreePrimeAdapter": ["FWD_0001"]}},
    {"model": "rundb.kitpart", "pk": 1, "fields": {"barcode": "L-0001", "kit": ["SEQ9001"]}},
    {"model": "rundb.kitpart", "pk": 2, "fields": {"barcode": "L-0002", "kit": 20002}},
]
DB_DATA = [
    {"model": "rundb.applicationgroup", "pk": 1, "fields": {"uid": "APPLGROUP_0001", "name": "DNA",
                                                            "isActive": True, "description": "DNA"}},
    {"model": "rundb.applicationgroup", "pk": 2, "fields": {"uid": "APPLGROUP_0002", "name": "RNA",
                                                            "isActive": True, "description": "RNA"}},
    {"model": "rundb.runtype", "pk": 1, "fields": {"runType": "GENS", "description": "Generic Sequencing",
                                                   "nucleotideType": "dna", "barcode": "", "meta": "{}",
                                                   "alternate_name": "Other"}},
    {"model": "rundb.runtype_applicationgroups", "pk": 1, "fields": {"runtype": ["GENS"],
                                                                     "applicationgroup": ["APPLGROUP_0001"]}},
    {"model": "rundb.runtype_applicationgroups", "pk": 2, "fields": {"runtype": 1, "applicationgroup": 2}},
    {"model": "rundb.samplegrouptype_cv", "pk": 3, "fields": {"uid": "SAMPLEGROUP_CV_0003",
                                                              "displayedName": "Tumor_Normal", "description": "",
                                                              "isIRCompatible": True, "iRAnnotationType": "",
                                                              "iRValue": "", "isActive": True}},
    {"model": "rundb.applproduct", "pk": 20001, "fields": {"productCode": "LAB_0", "applType": ["GENS"]}},
    {"model": "rundb.applproduct", "pk": 20002, "fields": {"productCode": "LAB_1", "applType": ["GENS"]}},
]
TEMPLATES = [
    {"model": "rundb.template", "pk": 1, "fields": {"name": "TF_A", "key": "ATCG", "sequence": "TGCATGCA",
                                                    "comments": " ", "isofficial": True}},
    {"model": "rundb.template", "pk": 2, "fields": {"name": "TF_B", "key": "ATCG", "sequence": "GGCCAATT",
                                                    "comments": " ", "isofficial": True}},
]
USERS = [{"model": "auth.user", "pk": 1, "fields": {"username": "labadmin", "is_superuser": True,
                                                    "password": "pbkdf2_sha256$1000$abc$notarealhash="}}]


@pytest.fixture
def dump_dir(tmp_path, project_rows):
    """A lab's dump folder: one barcode kit, chips and kits, run types, templates, a user."""
    folder = tmp_path / "dump"
    folder.mkdir()
    files = {"ion_xpress.json": project_rows("rundb.dnabarcode", kit="IonXpress"),
             "chips_kits.json": CHIPS_KITS, "db_data.json": DB_DATA, "template_init.json": TEMPLATES,
             "superuser.json": USERS}
    for name, objects in files.items():
        (folder / name).write_text(json.dumps(objects, indent=1))
    return folder


def fixture_paths(folder):
    return sorted(folder.glob("*.json"))


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


def test_every_file_imports_with_counts_matching_its_content(dump_dir):
    paths = fixture_paths(dump_dir)
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


def test_tables_after_importing_all_files(dump_dir, project_rows):
    for path in fixture_paths(dump_dir):
        import_fixture_file(path)

    xpress = dnaBarcode.objects.filter(name="IonXpress")
    assert sorted(xpress.values_list("id_str", flat=True)) == [f"IonXpress_{i:03d}" for i in range(1, 97)]
    source = {o["fields"]["id_str"]: o["fields"] for o in project_rows("rundb.dnabarcode", kit="IonXpress")}
    for barcode in xpress:
        fields = source[barcode.id_str]
        assert (barcode.sequence, barcode.index, barcode.adapter, barcode.score_mode, barcode.length) == (
            fields["sequence"], fields["index"], fields["adapter"], fields["score_mode"], len(fields["sequence"])
        )
    assert dnaBarcode.objects.values("name").distinct().count() == 1

    assert Chip.objects.get(name="520").instrumentType == "S5"
    assert FlowOrder.objects.get(name="Ion samba", isDefault=True).flowOrder == SAMBA
    # Integer references are primary keys of the same file: flowOrder pk 2 is "Lab order".
    assert KitInfo.objects.get(name="Lab Seq Kit").defaultFlowOrder.name == "Lab order"
    assert KitPart.objects.get(barcode="L-0002").kit.uid == "TEMPLT9001"
    # List references are natural keys: a 3' adapter by uid, a kit part's kit by uid.
    assert KitInfo.objects.get(name="Lab Chef Kit").defaultThreePrimeAdapter.uid == "FWD_0001"
    assert KitPart.objects.get(barcode="L-0001").kit.uid == "SEQ9001"
    assert ThreePrimeAdapter.objects.count() == 1
    gens = RunType.objects.get(runType="GENS")
    assert gens.meta == {}  # the file stores it as the text "{}"
    assert set(gens.applicationGroups.values_list("name", flat=True)) == {"DNA", "RNA"}
    assert RunType.applicationGroups.through.objects.count() == 2
    assert ApplicationGroup.objects.get(uid="APPLGROUP_0002").name == "RNA"
    assert Template.objects.filter(key="ATCG").count() == 2
    assert SampleGroupType_CV.objects.get(uid="SAMPLEGROUP_CV_0003").displayedName == "Tumor_Normal"
    assert not get_user_model().objects.exists()


def test_unknown_fields_are_counted(dump_dir):
    report = import_fixture_file(dump_dir / "chips_kits.json")
    ignored = report.ignored_fields["rundb.kitinfo"]
    assert dict(ignored) == {"chefScriptRevision": 1}  # cartridgeExpirationDayLimit is a field now
    assert "ignored fields of rundb.kitinfo: chefScriptRevision (1)" in "\n".join(report.lines())
    from rundb.models import KitInfo
    assert KitInfo.objects.get(uid="SEQ9001").cartridgeExpirationDayLimit == 8


def test_reimport_changes_nothing(dump_dir, catalog_snapshot):
    paths = fixture_paths(dump_dir)
    for path in paths:
        import_fixture_file(path)
    before = catalog_snapshot()
    for path in paths:
        report = import_fixture_file(path)
        assert report.total("created") == 0 and report.total("updated") == 0, report.lines()
    assert catalog_snapshot() == before


def test_reimport_restores_edited_rows_unless_keeping_existing(dump_dir):
    path = dump_dir / "chips_kits.json"
    import_fixture_file(path)
    Chip.objects.filter(name="520").update(description="edited here")

    kept = import_fixture_file(path, update=False)
    assert kept.counts["rundb.chip"]["kept"] == 1
    assert Chip.objects.get(name="520").description == "edited here"

    updated = import_fixture_file(path)
    assert updated.counts["rundb.chip"]["updated"] == 1
    assert Chip.objects.get(name="520").description == "520"


def test_command_prints_per_model_counts_for_a_folder(dump_dir):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(dump_dir), stdout=out)
    text = out.getvalue()
    assert "ion_xpress.json" in text
    assert re.search(r"rundb\.dnabarcode\s+created 96  updated 0  unchanged 0  skipped 0", text)
    assert re.search(r"rundb\.kitpart\s+created 2 ", text)
    assert re.search(r"rundb\.applproduct\s+created 2  updated 0  unchanged 0  skipped 0", text)
    assert "Total: created" in text and "(5 file(s))" in text
    assert dnaBarcode.objects.filter(name="IonXpress").count() == 96


def test_dry_run_reports_but_writes_nothing(dump_dir):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(dump_dir / "ion_xpress.json"), "--dry-run", stdout=out)
    assert "created 96" in out.getvalue() and "Dry run, nothing changed" in out.getvalue()
    assert not dnaBarcode.objects.exists()
