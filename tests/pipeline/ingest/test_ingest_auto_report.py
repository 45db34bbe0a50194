"""The automatic report of a finished run: name, folder, link, runid, queued job."""
import re
from pathlib import Path

import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import AnalysisJob, Experiment, ReportStorage, Results

pytestmark = pytest.mark.django_db

RUN = "R_2012_04_30_15_22_02_user_FOZ-389_test"


def test_auto_report(complete_run, settings):
    complete_run(RUN)
    crawl_once()
    exp = Experiment.objects.get()
    result = Results.objects.get()
    assert result.resultsName == f"Auto_user_FOZ-389_test_{exp.pk}"
    assert result.status == "Pending"
    assert result.experiment == exp and result.eas == exp.eas_set.get()
    assert result.reference == "hg19"
    assert result.reportLink == f"/output/{result.resultsName}_{result.pk:03d}/"
    assert re.fullmatch(r"[A-Z0-9]{5}", result.runid)
    assert exp.repResult == result

    storage = ReportStorage.objects.get()
    assert Path(storage.dirPath) == Path(settings.ION_REPORT_ROOT)
    report_dir = Path(settings.ION_REPORT_ROOT) / f"{result.resultsName}_{result.pk:03d}"
    assert result.report_dir == report_dir and report_dir.is_dir()
    assert (report_dir / "primary.key").read_text() == f"ResultsPK = {result.pk}\n"

    job = AnalysisJob.objects.get()
    assert job.result == result and job.state == "Queued"
    script = Path(job.script_path)
    assert script == report_dir / "ion_analysis_00.sh"
    text = script.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert re.search(rf"manage\.py run_analysis {result.pk}\n", text)
    assert job.work_dir == str(report_dir) and job.stdout_path == str(report_dir / "drmaa_stdout.txt")


def test_explog_autoanalysis_name_is_used_and_sanitised(complete_run):
    complete_run(entries={"AutoAnalysisName": "../my report"})
    crawl_once()
    exp = Experiment.objects.get()
    assert Results.objects.get().resultsName == f"_my_report_{exp.pk}"
