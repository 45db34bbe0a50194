"""The explog's sample is attached to non-barcoded runs; an existing project to the plan."""
import pytest
from django.contrib.auth.models import User

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, Project, Sample

pytestmark = pytest.mark.django_db


def test_sample_and_project(make_run):
    owner = User.objects.create(username="ionadmin")
    project = Project.objects.create(name="proj1", creator=owner)
    make_run().explog({"Sample": "NA12878", "Project": "proj1"})
    make_run("R_2012_04_30_15_22_02_bc", rig="PGM01").explog(
        {"Experiment Name": "R_2012_04_30_15_22_02_bc", "Sample": "ignored", "barcodeId": "IonXpress",
         "Project": "unknown"})
    crawl_once()
    crawl_once()
    plain = Experiment.objects.get(expName="R_2012_04_30_15_22_02_user_T1")
    sample = Sample.objects.get()
    assert sample.name == "NA12878" and sample.status == "run"
    assert list(sample.experiments.all()) == [plain]
    assert list(plain.plan.projects.all()) == [project]
    barcoded = Experiment.objects.get(expName="R_2012_04_30_15_22_02_bc")
    assert not barcoded.samples.exists() and not barcoded.plan.projects.exists()
