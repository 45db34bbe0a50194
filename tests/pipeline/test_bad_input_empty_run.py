"""Empty runs end in a clear Error: a basecaller BAM with no reads (zero-valued metric rows
are still written), and a run folder with no data at all (analysed on request, since the
crawler marks it `Missing File(s)` and starts nothing). The healthy run still completes."""
import pytest

from analysis_support import HEALTHY, analyse, assert_error, assert_healthy_completes, copy_beside_healthy, crawl_reports
from pipeline.analysis_launch import launch_reanalysis
from pipeline.stages.smallbam import write_bam
from rundb.models import Experiment, LibMetrics

pytestmark = pytest.mark.django_db


def test_bam_without_reads(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_empty")
    bam = bad / "basecaller_results" / "rawlib.basecaller.bam"
    bam.unlink()
    write_bam(bam, [], read_groups=({"ID": "EMPTY", "SM": "none", "FO": "TACG" * 65, "KS": "TCAG"},))

    _, reports = crawl_reports()
    assert not analyse(reports[bad.name]).ok
    assert_error(reports[bad.name], "empty run")
    assert LibMetrics.objects.get(report=reports[bad.name]).totalNumReads == 0
    assert_healthy_completes(reports[HEALTHY])


def test_run_folder_without_data(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_nodata")
    for path in (bad / "basecaller_results").iterdir():
        path.unlink()

    _, reports = crawl_reports()
    assert bad.name not in reports
    exp = Experiment.objects.get(expDir=str(bad))
    assert exp.ftpStatus == "Missing File(s)"
    result, _job = launch_reanalysis(exp)
    assert not analyse(result).ok
    assert_error(result, "empty run: no run data")
    assert_healthy_completes(reports[HEALTHY])
