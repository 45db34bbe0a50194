"""Composite runs in format (b): one 1.wells + bead mask per block under
onboard_results/sigproc_results/block_X<col>_Y<row>/. Every block is basecalled into the one
library BAM with chip coordinates in the read names; bead-find metrics add up over blocks."""
from pathlib import Path

import pysam
import pytest

from analysis_support import analyse, barcode_kit, ingest, install_reference_of, read_truth, simulate
from pipeline.analysis.status import AnalysisError
from pipeline.analysis.wells import wells_blocks
from rundb.models import AnalysisMetrics, LibMetrics

pytestmark = pytest.mark.django_db


def test_composite_wells_run_is_basecalled_block_by_block():
    kit = barcode_kit(2)
    run = simulate("R_2024_01_02_03_04_05_user_wellsblk", kit=kit, barcodes=2, reads=800, fmt="wells",
                   seed=8, blocks=(2, 2))
    blocks, _ = wells_blocks(run.run_dir)
    assert len(blocks) == 4 and {(b.row_offset > 0, b.col_offset > 0) for b in blocks} == {
        (False, False), (False, True), (True, False), (True, True)}
    install_reference_of(run)
    result = ingest(run.run_dir)
    outcome = analyse(result)
    log = (Path(result.report_dir) / "ReportLog.html").read_text()
    assert outcome.ok, (result.status, log[-3000:])
    assert "from 4 blocks" in log

    truth = read_truth(run)
    am = AnalysisMetrics.objects.get(report=result)
    assert am.lib == sum(1 for r in truth if r["kind"] in ("lib", "badkey"))  # summed over blocks
    assert am.tf == sum(1 for r in truth if r["kind"] == "tf")
    assert 0.8 * sum(1 for r in truth if r["kind"] == "lib") < am.libFinal
    # read names carry chip coordinates (row:col), the truth's (blocks placed at their offsets);
    # the run id in front is the report's
    lib_wells = {r["name"].split(":", 1)[1] for r in truth if r["kind"] == "lib"}
    with pysam.AlignmentFile(str(Path(result.report_dir) / "basecaller_results" / "rawlib.basecaller.bam"),
                             check_sq=False) as bam:
        names = [r.query_name for r in bam]
    assert len(names) == len(set(names)) == am.libFinal
    assert {n.split(":", 1)[1] for n in names} <= lib_wells
    rows = {int(n.split(":")[1]) for n in names}
    assert max(rows) > blocks[-1].row_offset  # reads from the lower blocks too
    assert LibMetrics.objects.get(report=result).totalNumReads == am.libFinal
    assert (Path(result.report_dir) / "Bead_density_contour.png").is_file()  # from the blocks' masks as one


def test_unplaceable_block_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "onboard_results" / "sigproc_results" / "block_top_left"
    folder.mkdir(parents=True)
    (folder / "1.wells").write_bytes(b"")
    with pytest.raises(AnalysisError, match="cannot place block folder block_top_left"):
        wells_blocks(tmp_path)
