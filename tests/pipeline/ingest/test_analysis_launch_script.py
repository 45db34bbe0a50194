"""The job script and the Queued AnalysisJob that the job service picks up."""
import subprocess
from pathlib import Path

import pytest

from pipeline.analysis_launch import create_report, run_id, safe_report_name, start_analysis, write_job_script
from pipeline.ingest.crawler import crawl_once
from rundb.models import AnalysisJob, Experiment

pytestmark = pytest.mark.django_db


def test_script_runs_command_in_work_dir(tmp_path):
    work = tmp_path / "work dir"
    work.mkdir()
    script = write_job_script(tmp_path / "job.sh", ["sh", "-c", "pwd > out.txt; exit 7"], work_dir=work,
                              description="test job\nsecond line")
    assert script.stat().st_mode & 0o111
    proc = subprocess.run([str(script)], capture_output=True)
    assert proc.returncode == 7  # exec: the script's status is the command's
    assert (work / "out.txt").read_text().strip() == str(work)
    assert "# second line" in script.read_text()


def test_one_active_job_per_report_and_numbered_scripts(complete_run):
    complete_run()
    crawl_once(auto_analysis=False)
    result = create_report(Experiment.objects.get(), name="manual run")
    assert result.resultsName == "manual_run"
    job = start_analysis(result)
    assert start_analysis(result) == job  # still queued: no second job
    AnalysisJob.objects.filter(pk=job.pk).update(state="Error")
    again = start_analysis(result)
    assert again != job and Path(again.script_path).name == "ion_analysis_01.sh"


def test_names_and_runid():
    assert safe_report_name("a b/../c") == "a_b_.._c"
    assert safe_report_name("") == "Report"
    assert run_id("Auto_x_1", 3) == run_id("Auto_x_1", 3)
    assert run_id("Auto_x_1", 3) != run_id("Auto_x_1", 4)
