"""List pages are read through light model instances (rundb/api/base/fastrows.py): the JSON
must be exactly what ordinary model instances give, for nested read models with reports,
metrics, projects, plugins, samples and barcodes."""
import json

import pytest
from django.db.models.signals import post_init

from rundb import models as m
from rundb.api.base import fastrows

from . import factories

BARCODED = {"s1": {"barcodes": ["IonXpress_001"],
                   "barcodeSampleInfo": {"IonXpress_001": {"reference": "hg19", "description": "one"}}},
            "s2": {"barcodes": ["IonXpress_002"],
                   "barcodeSampleInfo": {"IonXpress_002": {"reference": "mm10", "description": "two"}}}}


@pytest.fixture
def world(db, catalog, admin):
    user = admin[0]
    project = m.Project.objects.create(name="fast", creator=user)
    sample_set = m.SampleSet.objects.create(displayedName="set one")
    plugin = factories.plugin()
    runs = []
    for i in range(3):
        plan = m.PlannedExperiment.objects.create(planName=f"plan {i}", planShortID=f"FP{i:03d}", chipType="530",
                                                  runType="AMPS", sampleTubeLabel=f"tube{i}",
                                                  selectedPlugins={"coverageAnalysis": {"userInput": {}}})
        plan.sampleSets.add(sample_set)
        plan.projects.add(project)
        m.PlannedExperimentQC.objects.create(plannedExperiment=plan, qcType=m.QCType.objects.first(), threshold=30)
        exp = factories.experiment(f"FAST_run_{i}", chipType="540" if i else "530", plan=plan)
        m.ExperimentAnalysisSettings.objects.create(experiment=exp, barcodeKitName="IonXpress", reference="hg19",
                                                    barcodedSamples=BARCODED if i != 1 else {})
        sample = m.Sample.objects.create(name=f"sample_{i}", displayedName=f"Sample {i}")
        sample.experiments.add(exp)
        for j in range(2):
            res = factories.result(exp, f"Auto_FAST_run_{i}_{j}", status="Completed" if j else "Error",
                                   representative=bool(j), metrics=j != 1 or i != 2)
            res.eas = exp.eas_set.first()
            res.save()
            res.projects.add(project)
            factories.plugin_result(res, plugin, user, store={"n": j})
        runs.append(exp)
    factories.result(runs[0], "no_eas_report")
    return runs


URLS = ["compositeexperiment/", "compositeresult/", "results/?plugin=true", "experiment/", "plannedexperiment/",
        "pluginresult/", "sample/", "project/"]


def bodies(api):
    return {url: api.get(url + ("&" if "?" in url else "?") + "limit=0").content for url in URLS}


def test_light_instances_give_the_same_json(api, world, monkeypatch):
    built = []
    real_builder = fastrows._builder

    def counting_builder(*args):
        build = real_builder(*args)
        return lambda row: built.append(1) or build(row)

    monkeypatch.setattr(fastrows, "_builder", counting_builder)
    fast = bodies(api)
    assert len(built) > 50  # the runs, reports, EAS, metrics and projects went the light way
    monkeypatch.setattr(fastrows, "plain_model", lambda model: False)
    built.clear()
    ordinary = bodies(api)
    assert not built
    for url in URLS:
        assert fast[url] == ordinary[url], url
    runs = json.loads(fast["compositeexperiment/"])["objects"]
    assert len(runs) == 3 and all(len(run["results"]) >= 2 for run in runs)
    assert {run["references"] for run in runs} == {"Multiple references", "hg19"}


def test_fetch_matches_list_for_select_related_deferred_and_annotated_rows(world):
    from django.db.models import Count

    queryset = (m.Results.objects.select_related("eas__experiment", "experiment").only(
        "id", "resultsName", "timeStamp", "eas__barcodedSamples", "eas__experiment__chipType", "experiment__expName")
        .annotate(n_projects=Count("projects")).order_by("pk"))
    light, ordinary = fastrows.fetch(queryset.all()), list(queryset.all())
    assert [type(o) for o in light] == [type(o) for o in ordinary]
    for a, b in zip(light, ordinary):
        assert {k: v for k, v in vars(a).items() if k != "_state"} == {k: v for k, v in vars(b).items() if k != "_state"}
        assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")
        assert a.get_deferred_fields() == b.get_deferred_fields()
        assert sorted(a._state.fields_cache) == sorted(b._state.fields_cache)
        if b.eas is not None:
            assert vars(a.eas).keys() == vars(b.eas).keys() and a.eas.experiment.chipType == b.eas.experiment.chipType
        else:
            assert a.eas is None
        assert a.n_projects == b.n_projects


def test_init_receivers_keep_the_ordinary_path(api, world):
    seen = []

    def count(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(count, sender=m.Results)
    try:
        api.get("results/", {"limit": 0})
    finally:
        post_init.disconnect(count, sender=m.Results)
    assert len(seen) >= m.Results.objects.count()  # every listed report went through __init__
