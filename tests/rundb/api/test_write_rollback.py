"""A failed write changes nothing: each write request is one transaction."""
from rundb import models as m

from . import factories


def test_failed_plan_creation_leaves_no_rows(api, catalog):
    before = (m.PlannedExperiment.objects.count(), m.Experiment.objects.count(), m.Sample.objects.count())
    response = api.post("plannedexperiment/", {"planName": "p", "chipType": "520",
                                               "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s",
                                               "flows": 99999})
    assert response.status_code == 400
    assert (m.PlannedExperiment.objects.count(), m.Experiment.objects.count(), m.Sample.objects.count()) == before


def test_patch_list_is_all_or_nothing(api, db):
    loc = m.Location.objects.create(name="A")
    response = api.patch("location/", {"objects": [
        {"resource_uri": f"/rundb/api/v1/location/{loc.pk}/", "name": "changed"},
        {"name": ""},  # invalid: name is required
    ]})
    assert response.status_code == 400
    loc.refresh_from_db()
    assert loc.name == "A" and m.Location.objects.count() == 1


def test_error_after_the_row_was_saved_rolls_it_back(api, db, monkeypatch):
    from rundb.api.resources.plan import PlannedExperimentResource

    factories.catalog()

    def fail(self, bundle, creating):
        raise ValueError("boom after save")

    monkeypatch.setattr(PlannedExperimentResource, "after_save", fail)
    response = api.post("plannedexperiment/", {"planName": "p", "chipType": "520",
                                               "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s"})
    assert response.status_code == 500
    assert not m.PlannedExperiment.objects.exists()
