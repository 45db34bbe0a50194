"""compositeexperiment's extra query parameters: all_date, result_status (also trims nested
reports), samples__name__in, plugins__name__in, sample_prep."""
import datetime as dt

from django.utils import timezone

from rundb import models as m

from . import factories


def _ids(api, **params):
    response = api.get("compositeexperiment/", params)
    assert response.status_code == 200, response.content
    return [o["id"] for o in response.json()["objects"]]


def test_filters(api, admin, catalog):
    old = factories.experiment(date=timezone.make_aware(dt.datetime(2020, 1, 15, 10, 0)))
    new = factories.experiment(date=timezone.make_aware(dt.datetime(2024, 3, 1, 10, 0)))
    done = factories.result(old, status="Completed", timeStamp=timezone.make_aware(dt.datetime(2020, 1, 15, 12)))
    factories.result(new, status="Error: basecaller", timeStamp=timezone.make_aware(dt.datetime(2024, 3, 1, 12)))
    factories.result(new, name="second", status="Completed", timeStamp=timezone.make_aware(dt.datetime(2024, 3, 2)))
    sample = m.Sample.objects.create(name="tumor", displayedName="tumor")
    sample.experiments.add(old)
    factories.plugin_result(done, factories.plugin("coverageAnalysis"), admin[0])

    assert _ids(api, all_date="01/01/2020,01/31/2020") == [old.pk]
    assert _ids(api, all_date="03/02/2024 00:00,03/02/2024 23:59") == [new.pk]
    assert _ids(api, samples__name__in="tumor,other") == [old.pk]
    assert _ids(api, plugins__name__in="coverageAnalysis") == [old.pk]
    assert set(_ids(api, result_status="Completed")) == {old.pk, new.pk}
    assert _ids(api, result_status="Error") == [new.pk]
    row = api.get("compositeexperiment/", {"result_status": "Error"}).json()["objects"][0]
    assert [r["status_display"] for r in row["results"]] == ["Error"]
    full = api.get("compositeexperiment/", {"id": new.pk}).json()["objects"][0]
    assert len(full["results"]) == 2


def test_sample_prep(api, catalog):
    chef = m.KitInfo.objects.get(kitType="IonChefPrepKit")
    chef.samplePrep_instrumentType = "IC"
    chef.save()
    plan = m.PlannedExperiment.objects.create(planName="p", templatingKitName=chef.name)
    exp = factories.experiment(plan=plan)
    factories.experiment()
    assert _ids(api, sample_prep="IC") == [exp.pk]


def test_bad_values_are_400(api, db):
    assert api.get("compositeexperiment/", {"all_date": "yesterday"}).status_code == 400
    assert api.get("compositeexperiment/", {"all_date": "01/01/2020"}).status_code == 400
    assert api.get("compositeexperiment/", {"result_status": "Bogus"}).status_code == 400
