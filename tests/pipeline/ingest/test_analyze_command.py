"""`manage.py analyze` starts another report of a run."""
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pipeline.ingest.crawler import crawl_once
from rundb.models import AnalysisJob, Experiment, Results

pytestmark = pytest.mark.django_db


def test_analyze_by_pk_and_name(complete_run):
    complete_run()
    crawl_once()
    exp = Experiment.objects.get()
    out = StringIO()
    call_command("analyze", str(exp.pk), stdout=out)
    second = Results.objects.order_by("pk").last()
    assert Results.objects.count() == 2
    assert second.resultsName == f"user_T1_{exp.pk}" and second.status == "Pending"
    assert AnalysisJob.objects.filter(result=second, state="Queued").count() == 1
    assert Path(second.report_dir).is_dir()
    assert f"report {second.pk}" in out.getvalue()

    call_command("analyze", exp.expName, "--name", "Reanalyze", stdout=StringIO())
    assert Results.objects.order_by("pk").last().resultsName == "Reanalyze"
    assert Results.objects.count() == 3


def test_analyze_bad_input(complete_run):
    with pytest.raises(CommandError, match="no experiment"):
        call_command("analyze", "999999")
    run = complete_run()
    crawl_once()
    shutil.rmtree(run.path)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("analyze", str(Experiment.objects.get().pk))
    assert Results.objects.count() == 1


def test_analyze_ambiguous_name(complete_run):
    complete_run("R_2012_04_30_15_22_02_same", rig="A")
    complete_run("R_2012_04_30_15_22_02_same", rig="B")
    crawl_once()
    with pytest.raises(CommandError, match="several experiments"):
        call_command("analyze", "R_2012_04_30_15_22_02_same")
