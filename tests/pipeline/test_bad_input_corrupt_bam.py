"""A corrupt basecaller BAM (damaged compressed block, or not a BAM at all) ends its report in
a clear Error; the healthy run beside it still completes."""
import pytest

from analysis_support import (HEALTHY, analyse, assert_error, assert_healthy_completes, copy_run, crawl_reports,
                              make_template)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    return make_template(tmp_path_factory, HEALTHY)


@pytest.mark.parametrize("damage", ["flipped-bytes", "not-a-bam"])
def test_corrupt_bam(healthy, damage):
    copy_run(healthy.run_dir, HEALTHY)
    bad = copy_run(healthy.run_dir, "R_2024_01_02_03_04_05_user_corrupt")
    bam = bad / "basecaller_results" / "rawlib.basecaller.bam"
    if damage == "flipped-bytes":
        data = bytearray(bam.read_bytes())
        for i in range(300, 340):
            data[i] ^= 0xFF
        bam.write_bytes(bytes(data))
    else:
        bam.write_bytes(b"this is not a BAM file\n" * 40)

    _, reports = crawl_reports()
    assert not analyse(reports[bad.name]).ok
    reason = assert_error(reports[bad.name], "rawlib.basecaller.bam")
    assert any(word in reason for word in ("corrupt", "truncated", "not a BAM")), reason
    assert_healthy_completes(reports[HEALTHY])
