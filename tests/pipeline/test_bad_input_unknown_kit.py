"""A run naming a barcode kit that is not in the database ends in
`Error: unknown barcode kit <name>`; the healthy run beside it still completes."""
import pytest

from analysis_support import HEALTHY, analyse, assert_error, assert_healthy_completes, copy_beside_healthy, crawl_reports

pytestmark = pytest.mark.django_db


def test_unknown_barcode_kit(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_kit")
    for name in ("explog.txt", "explog_final.txt"):
        path = bad / name
        path.write_text(path.read_text().replace("barcodeId: none", "barcodeId: NoSuchKit"))

    _, reports = crawl_reports()
    assert reports[bad.name].eas.barcodeKitName == "NoSuchKit"
    assert not analyse(reports[bad.name]).ok
    assert assert_error(reports[bad.name], "unknown barcode kit NoSuchKit") == "unknown barcode kit NoSuchKit"
    assert reports[bad.name].status == "Error: unknown barcode kit NoSuchKit"
    assert_healthy_completes(reports[HEALTHY])
