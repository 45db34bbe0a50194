"""load_catalog: what a fresh database gets, and that running it again changes nothing."""
import pytest

from rundb.catalog import FixtureError, default_fixtures_dir, load_catalog
from rundb.models import (
    Chip,
    FileServer,
    FlowOrder,
    GlobalConfig,
    KitInfo,
    LibraryKey,
    Location,
    ReportStorage,
    RunType,
    ThreePrimeAdapter,
    dnaBarcode,
)

pytestmark = pytest.mark.django_db

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


def test_fresh_database_with_the_original_fixtures(ts_fixtures_dir, settings):
    report = load_catalog(ts_fixtures_dir)
    assert report.fixtures_found and not report.warnings
    ids = set(dnaBarcode.objects.filter(name="IonXpress").values_list("id_str", flat=True))
    assert {f"IonXpress_{i:03d}" for i in range(1, 97)} <= ids
    assert KitInfo.objects.count() > 100
    assert_planning_catalog()

    home = Location.objects.get(name="Home", defaultlocation=True)
    assert FileServer.objects.get(location=home).filesPrefix == str(settings.ION_RESULTS_ROOT)
    storage = ReportStorage.objects.get(default=True)
    assert (storage.dirPath, storage.webServerPath) == (str(settings.ION_REPORT_ROOT), settings.ION_REPORT_WEB_ROOT)
    assert GlobalConfig.objects.count() == 1 and GlobalConfig.get().default_library_key == "TCAG"


def test_second_load_creates_nothing_and_keeps_local_edits(ts_fixtures_dir, catalog_snapshot):
    load_catalog(ts_fixtures_dir)
    Chip.objects.filter(name="530").update(isActive=False)
    GlobalConfig.objects.update(site_name="Our lab")
    before = catalog_snapshot()
    report = load_catalog(ts_fixtures_dir)
    assert report.total("created") == 0 and report.total("updated") == 0
    assert catalog_snapshot() == before


def test_without_fixture_files_the_builtin_catalog_still_plans(tmp_path, monkeypatch):
    monkeypatch.setenv("ION_TS_FIXTURES_DIR", str(tmp_path / "absent"))
    report = load_catalog()
    assert not report.fixtures_found
    assert "ION_TS_FIXTURES_DIR" in report.warnings[0] and "import_ts_fixtures" in report.warnings[0]
    assert not dnaBarcode.objects.exists()
    assert_planning_catalog()
    assert Chip.objects.get(name="P1.1.17").instrumentType == "proton"


def test_fixtures_loaded_later_join_the_builtin_rows(tmp_path, ts_fixtures_dir):
    load_catalog(tmp_path)  # an empty folder: built-in rows only
    builtin_kits = KitInfo.objects.count()
    load_catalog(ts_fixtures_dir)
    # The built-in kits carry the original's names and uids, so they are not duplicated.
    assert KitInfo.objects.filter(name__in=SEED_KITS).count() == 3
    assert KitInfo.objects.count() == 113 >= builtin_kits


def test_an_explicit_folder_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(FixtureError, match="does not exist"):
        load_catalog(tmp_path / "absent")


def test_default_folder_is_shared_beside_the_project(monkeypatch, settings):
    monkeypatch.delenv("ION_TS_FIXTURES_DIR", raising=False)
    assert default_fixtures_dir().parts[-3:] == ("shared", "reference-data", "ts-fixtures")
    monkeypatch.setenv("ION_TS_FIXTURES_DIR", "/srv/fixtures")
    assert str(default_fixtures_dir()) == "/srv/fixtures"
    settings.ION_TS_FIXTURES_DIR = "/opt/from-settings"
    assert str(default_fixtures_dir()) == "/opt/from-settings"
