"""A truncated basecaller BAM ends its report in `Error: ... truncated ...`; the healthy run
crawled beside it still completes."""
import pytest

from analysis_support import (HEALTHY, analyse, assert_error, assert_healthy_completes, copy_run, crawl_reports,
                              make_template)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    return make_template(tmp_path_factory, HEALTHY)


def test_truncated_bam(healthy):
    copy_run(healthy.run_dir, HEALTHY)
    bad = copy_run(healthy.run_dir, "R_2024_01_02_03_04_05_user_truncated")
    bam = bad / "basecaller_results" / "rawlib.basecaller.bam"
    data = bam.read_bytes()
    bam.write_bytes(data[: len(data) // 2])

    crawl, reports = crawl_reports()
    assert not crawl.errors and set(reports) == {HEALTHY, bad.name}
    outcome = analyse(reports[bad.name])
    assert not outcome.ok
    reason = assert_error(reports[bad.name], "truncated")
    assert "rawlib.basecaller.bam" in reason
    assert_healthy_completes(reports[HEALTHY])
