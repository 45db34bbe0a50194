"""load_catalog: what a fresh database gets from the project's data folder (plus a lab's own
fixture folder, if configured), and that running it again changes nothing."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from rundb.catalog import FixtureError, extra_fixtures_dir, load_catalog
from rundb.models import (
    Chip,
    FileServer,
    FlowOrder,
    GlobalConfig,
    KitInfo,
    KitPart,
    LibraryKey,
    Location,
    ReportStorage,
    RunType,
    ThreePrimeAdapter,
    dnaBarcode,
)

pytestmark = pytest.mark.django_db

KIT_SIZES = {"IonXpress": 96, "IonXpressRNA": 16, "IonSet1": 16, "IonCode Barcodes 1-32": 32,
             "Ion SingleSeq Barcode set 1-96": 96}
SEED_KITS = {  # the kits the SDK's planning examples name
    "Ion S5 Sequencing Kit": "SequencingKit",
    "Ion Xpress Plus Fragment Library Kit": "LibraryKit",
    "Ion 520/530 Kit-OT2": "TemplatingKit",
}


def assert_planning_catalog():
    for name, kit_type in SEED_KITS.items():
        assert KitInfo.objects.get(name=name).kitType == kit_type
    for chip, instrument in [("314", "pgm"), ("520", "S5"), ("530", "S5"), ("540", "S5"), ("550", "S5")]:
        assert Chip.objects.get(name=chip).instrumentType == instrument
    assert LibraryKey.objects.get(isDefault=True, direction="Forward").sequence == "TCAG"
    assert FlowOrder.objects.get(name="Ion samba").flowOrder == "TACGTACGTCTGAGCATCGATCGATGTACAGC"
    assert ThreePrimeAdapter.objects.get(uid="FWD_0001").isDefault
    assert {"GENS", "AMPS", "TARS", "WGNM", "RNA"} <= set(RunType.objects.values_list("runType", flat=True))
    assert RunType.objects.get(runType="GENS").applicationGroups.filter(name="DNA").exists()


def test_fresh_database_gets_the_project_catalog(settings):
    settings.ION_TS_FIXTURES_DIR = ""
    report = load_catalog()
    assert report.fixtures_dir is None and not report.warnings
    assert set(dnaBarcode.objects.values_list("name", flat=True)) == set(KIT_SIZES)
    ids = set(dnaBarcode.objects.filter(name="IonXpress").values_list("id_str", flat=True))
    assert ids == {f"IonXpress_{i:03d}" for i in range(1, 97)}
    assert KitInfo.objects.count() == 113 and KitPart.objects.count() == 253
    assert_planning_catalog()

    home = Location.objects.get(name="Home", defaultlocation=True)
    assert FileServer.objects.get(location=home).filesPrefix == str(settings.ION_RESULTS_ROOT)
    storage = ReportStorage.objects.get(default=True)
    assert (storage.dirPath, storage.webServerPath) == (str(settings.ION_REPORT_ROOT), settings.ION_REPORT_WEB_ROOT)
    assert GlobalConfig.objects.count() == 1 and GlobalConfig.get().default_library_key == "TCAG"


def test_second_load_creates_nothing_and_keeps_local_edits(catalog_snapshot):
    load_catalog()
    Chip.objects.filter(name="530").update(isActive=False)
    GlobalConfig.objects.update(site_name="Our lab")
    before = catalog_snapshot()
    report = load_catalog()
    assert report.total("created") == 0 and report.total("updated") == 0
    assert catalog_snapshot() == before


def test_builtin_rows_meet_the_project_rows():
    load_catalog()
    # The built-in kits and chips carry the data folder's names and uids: no duplicates.
    assert KitInfo.objects.filter(name__in=SEED_KITS).count() == 3
    assert Chip.objects.filter(name="520").count() == 1
    # ... and where both define a row, the data folder's values are kept.
    assert Chip.objects.get(name="314").description == "314v2"


def test_a_labs_fixture_folder_is_imported_too(tmp_path, settings):
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "lab_kit.json").write_text(json.dumps([
        {"model": "rundb.dnabarcode", "pk": 7, "fields": {"name": "LabKit", "id_str": f"Lab_{i}", "index": i,
                                                          "sequence": seq, "adapter": "GAT"}}
        for i, seq in ((1, "ACGTACGTAC"), (2, "CAGTCAGTCA"))
    ]))
    settings.ION_TS_FIXTURES_DIR = str(lab)
    out = io.StringIO()
    call_command("load_catalog", stdout=out)
    assert dnaBarcode.objects.filter(name="LabKit").count() == 2
    assert dnaBarcode.objects.values("name").distinct().count() == len(KIT_SIZES) + 1
    assert f"project data + fixtures from {lab}" in out.getvalue()


def test_a_configured_folder_that_is_missing_warns(tmp_path, settings):
    settings.ION_TS_FIXTURES_DIR = str(tmp_path / "absent")
    report = load_catalog()
    assert not report.fixtures_found
    assert "ION_TS_FIXTURES_DIR" in report.warnings[0] and "import_ts_fixtures" in report.warnings[0]
    assert dnaBarcode.objects.values("name").distinct().count() == len(KIT_SIZES)
    assert_planning_catalog()


def test_an_explicit_folder_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(FixtureError, match="does not exist"):
        load_catalog(tmp_path / "absent")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_catalog", "--fixtures-dir", str(tmp_path / "absent"), stdout=io.StringIO())


def test_extra_folder_from_settings(monkeypatch, settings):
    settings.ION_TS_FIXTURES_DIR = ""
    monkeypatch.setenv("ION_TS_FIXTURES_DIR", "/srv/fixtures")  # read once, by iondb/settings.py
    assert extra_fixtures_dir() is None
    settings.ION_TS_FIXTURES_DIR = "/opt/from-settings"
    assert str(extra_fixtures_dir()) == "/opt/from-settings"
