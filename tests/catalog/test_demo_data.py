"""manage.py demo_data: one demo run with a completed report and metric rows, created once."""
import io

import pytest
from django.core.management import call_command

from rundb.catalog import load_catalog
from rundb.models import Experiment, Results


@pytest.mark.django_db
def test_demo_run_is_created_once(tmp_path):
    load_catalog(tmp_path)
    out = io.StringIO()
    call_command("demo_data", "--no-simulator", stdout=out)
    assert "Demo run created" in out.getvalue()
    exp = Experiment.objects.get()
    result = Results.objects.get(experiment=exp)
    assert exp.repResult == result and result.status == "Completed"
    assert result.reportLink.endswith(f"_{result.pk:03d}/")
    lib, quality, analysis = result.libmetrics.get(), result.qualitymetrics.get(), result.analysismetrics.get()
    assert quality.q20_bases <= quality.q17_bases <= quality.q0_bases
    assert lib.totalNumReads == quality.q0_reads == analysis.libFinal
    assert result.tfmetrics.count() == 1

    call_command("demo_data", "--no-simulator", stdout=io.StringIO())
    call_command("demo_data", "--if-empty", stdout=out)
    assert Experiment.objects.count() == 1 and Results.objects.count() == 1
    assert "no demo run created" in out.getvalue()
