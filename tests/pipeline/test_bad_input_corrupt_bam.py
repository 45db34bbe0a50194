"""A corrupt basecaller BAM (damaged compressed block, or not a BAM at all) ends its report in
a clear Error; the healthy run beside it still completes."""
import pytest

from analysis_support import HEALTHY, analyse, assert_error, assert_healthy_completes, copy_beside_healthy, crawl_reports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("damage", ["flipped-bytes", "not-a-bam"])
def test_corrupt_bam(healthy, damage):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_corrupt")
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
