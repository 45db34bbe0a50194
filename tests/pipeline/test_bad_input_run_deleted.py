"""A run folder deleted while its analysis runs ends the report in
`Error: run folder deleted during analysis: ...`; the healthy run still completes."""
import shutil

import pytest

from analysis_support import (HEALTHY, analyse, assert_error, assert_healthy_completes, barcode_kit,
                              copy_beside_healthy, copy_run, crawl_reports)

pytestmark = pytest.mark.django_db


def test_run_folder_deleted_mid_analysis(healthy, tmp_path_factory):
    kit = barcode_kit(2)
    from analysis_support import simulate

    copy_run(healthy.run_dir, HEALTHY)
    bad = simulate("R_2024_01_02_03_04_05_user_deleted", kit=kit, barcodes=2, reads=300).run_dir
    _, reports = crawl_reports()

    def delete_at_classification(status):
        if status == "Barcode Classification":
            shutil.rmtree(bad)

    assert not analyse(reports[bad.name], on_status=delete_at_classification).ok
    reason = assert_error(reports[bad.name], "run folder deleted during analysis")
    assert str(bad) in reason
    assert_healthy_completes(reports[HEALTHY])


def test_run_folder_gone_before_the_job_starts(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_gone")
    _, reports = crawl_reports()
    shutil.rmtree(bad)
    assert not analyse(reports[bad.name]).ok
    assert_error(reports[bad.name], "run folder not found")
    assert_healthy_completes(reports[HEALTHY])
