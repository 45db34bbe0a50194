"""manage.py demo_data: a simulated run is ingested once and its analysis queued."""
import io

import pytest
from django.core.management import call_command

from rundb.catalog import load_catalog
from rundb.models import AnalysisJob, Experiment, JobState, ReferenceGenome, Results

pytestmark = pytest.mark.django_db


def test_demo_run_is_simulated_ingested_and_queued_once(tmp_path, settings):
    load_catalog()
    out = io.StringIO()
    call_command("demo_data", "--reads", "300", stdout=out)
    assert "Demo run created" in out.getvalue()
    exp = Experiment.objects.get()
    assert exp.ftpStatus == "Complete" and (settings.ION_RESULTS_ROOT / "DemoS5").is_dir()
    result = Results.objects.get(experiment=exp)
    job = AnalysisJob.objects.get(result=result)
    assert job.state == JobState.QUEUED and job.script_path
    assert exp.eas_set.get().barcodeKitName == "IonXpress"
    assert ReferenceGenome.objects.filter(short_name="demo_ref", status="complete").exists()

    call_command("demo_data", stdout=io.StringIO())
    call_command("demo_data", "--if-empty", stdout=out)
    assert Experiment.objects.count() == 1 and Results.objects.count() == 1
    assert "no demo run created" in out.getvalue()
