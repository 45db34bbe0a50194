"""List endpoints use the same number of queries for 5 and 50 rows (no N+1)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rundb import models as m

from . import factories


@pytest.fixture
def many(db, admin, catalog):
    user = admin[0]
    plug = factories.plugin()
    project = m.Project.objects.create(name="demo", creator=user)
    qc = m.QCType.objects.first()
    for i in range(50):
        # Chef cartridges for compositeexperiment's serial pair (an OR: most runs match).
        exp = factories.experiment(f"run_{i}", chefReagentsSerialNum="R1" if i % 2 else "",
                                   chefSolutionsSerialNum="S1" if i % 3 == 0 else "")
        res = factories.result(exp)
        res.projects.add(project)
        m.ExperimentAnalysisSettings.objects.create(experiment=exp, barcodedSamples={"s": {"barcodes": ["x"]}})
        factories.plugin_result(res, plug, user)
        sample = m.Sample.objects.create(name=f"s{i}")
        sample.experiments.add(exp)
        plan = m.PlannedExperiment.objects.create(planName=f"plan{i}")
        plan.projects.add(project)
        m.PlannedExperimentQC.objects.create(plannedExperiment=plan, qcType=qc, threshold=3)
        kit = m.KitInfo.objects.create(kitType="LibraryKit", name=f"kit{i}", uid=f"K{i}")
        m.KitPart.objects.create(kit=kit, barcode=f"B{i}")
        sset = m.SampleSet.objects.create(displayedName=f"set{i}")
        m.SampleSetItem.objects.create(sample=sample, sampleSet=sset)
        loc = m.Location.objects.create(name=f"loc{i}")
        m.Rig.objects.create(name=f"rig{i}", location=loc)


RESOURCES = ["results", "results?plugin=true", "experiment", "compositeexperiment", "compositeresult",
             "compositeexperiment?chefReagentsSerialNum=R1&chefSolutionsSerialNum=S1",
             "pluginresult", "PluginResultJob", "plugin", "plannedexperiment", "kitinfo", "libmetrics", "sample",
             "sampleset", "samplesetitem", "project", "rig", "user", "dnabarcode", "chip", "applicationgroup",
             "runtype", "experimentanalysissettings"]


def count(api, path, limit):
    sep = "&" if "?" in path else "?"
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(f"/rundb/api/v1/{path.replace('?', '/?', 1) if '?' in path else path + '/'}{sep}limit={limit}")
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), len(response.json()["objects"])


def test_queries_do_not_grow_with_limit(api, many):
    """One data set, every list endpoint: same count for limit=5 and limit=50, at most 10."""
    problems = []
    for path in RESOURCES:
        small, n_small = count(api, path, 5)
        large, n_large = count(api, path, 50)
        if not (n_large > n_small or n_large == n_small < 5):
            problems.append(f"{path}: page sizes {n_small}/{n_large} do not show the limit working")
        if small != large:
            problems.append(f"{path}: {small} queries for 5 rows, {large} for 50")
        if large > 10:
            problems.append(f"{path}: {large} queries (budget 10)")
    assert not problems, "\n".join(problems)


def test_results_detail_query_budget(api, many):
    res = m.Results.objects.first()
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(f"results/{res.pk}/").status_code == 200
    assert len(ctx.captured_queries) <= 10
