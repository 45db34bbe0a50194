"""Truncated / corrupt / missing BAMs give PipelineError with a clear reason."""
import pytest

from pipeline.metrics.ionstats import ionstats_for_bam
from pipeline.stages.bamio import BamReader, EOF_BLOCK
from pipeline.stages.datasets import count_bam
from pipeline.stages.errors import PipelineError
from pipeline.stages.run import run_stages
from pipeline.stages.smallbam import write_bam


@pytest.fixture
def good_bam(tmp_path):
    reads = [{"seq": "ACGT" * 50, "qual": [30] * 200, "tags": {"ZA": 190}} for _ in range(300)]
    return write_bam(tmp_path / "good.bam", reads,
                     read_groups=({"ID": "R1", "SM": "s", "FO": "TACG" * 50, "KS": "TCAG"},))


def test_truncated_bam(tmp_path, good_bam):
    data = open(good_bam, "rb").read()
    bad = tmp_path / "trunc.bam"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(PipelineError, match="truncated BAM"):
        ionstats_for_bam(str(bad))
    with pytest.raises(PipelineError, match="truncated BAM"):
        count_bam(str(bad))


def test_truncated_but_with_eof_marker(tmp_path, good_bam):
    data = open(good_bam, "rb").read()
    bad = tmp_path / "trunc2.bam"
    bad.write_bytes(data[: len(data) // 2] + EOF_BLOCK)
    with pytest.raises(PipelineError, match="truncated|corrupt"):
        ionstats_for_bam(str(bad))


def test_corrupt_block(tmp_path, good_bam):
    data = bytearray(open(good_bam, "rb").read())
    data[200] ^= 0xFF
    bad = tmp_path / "corrupt.bam"
    bad.write_bytes(bytes(data))
    with pytest.raises(PipelineError, match="corrupt|truncated"):
        ionstats_for_bam(str(bad))


def test_not_a_bam_and_missing(tmp_path):
    p = tmp_path / "x.bam"
    p.write_bytes(b"hello world, not a bam at all" * 3)
    with pytest.raises(PipelineError, match="truncated|not a BAM"):
        BamReader(str(p))
    with pytest.raises(PipelineError, match="not found"):
        BamReader(str(tmp_path / "missing.bam"))


def test_run_stages_missing_or_truncated_input(tmp_path, good_bam):
    run = tmp_path / "run"
    (run / "basecaller_results").mkdir(parents=True)
    with pytest.raises(PipelineError, match="no basecaller BAM"):
        run_stages(str(run), str(tmp_path / "rep"))
    data = open(good_bam, "rb").read()
    (run / "basecaller_results" / "rawlib.basecaller.bam").write_bytes(data[:-100])
    with pytest.raises(PipelineError, match="truncated"):
        run_stages(str(run), str(tmp_path / "rep"))
    with pytest.raises(PipelineError, match="run folder not found"):
        run_stages(str(tmp_path / "nope"), str(tmp_path / "rep"))
