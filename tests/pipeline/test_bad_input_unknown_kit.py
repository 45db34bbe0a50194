"""A run naming a barcode kit that is not in the database ends in
`Error: unknown barcode kit <name>`; the healthy run beside it still completes."""
import pytest

from analysis_support import (HEALTHY, analyse, assert_error, assert_healthy_completes, copy_run, crawl_reports,
                              make_template)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    return make_template(tmp_path_factory, HEALTHY)


def test_unknown_barcode_kit(healthy):
    copy_run(healthy.run_dir, HEALTHY)
    bad = copy_run(healthy.run_dir, "R_2024_01_02_03_04_05_user_kit")
    for name in ("explog.txt", "explog_final.txt"):
        path = bad / name
        path.write_text(path.read_text().replace("barcodeId: none", "barcodeId: NoSuchKit"))

    _, reports = crawl_reports()
    assert reports[bad.name].eas.barcodeKitName == "NoSuchKit"
    assert not analyse(reports[bad.name]).ok
    assert assert_error(reports[bad.name], "unknown barcode kit NoSuchKit") == "unknown barcode kit NoSuchKit"
    assert reports[bad.name].status == "Error: unknown barcode kit NoSuchKit"
    assert_healthy_completes(reports[HEALTHY])
