"""A truncated basecaller BAM ends its report in `Error: ... truncated ...`; the healthy run
crawled beside it still completes."""
import pytest

from analysis_support import HEALTHY, analyse, assert_error, assert_healthy_completes, copy_beside_healthy, crawl_reports

pytestmark = pytest.mark.django_db


def test_truncated_bam(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_truncated")
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
