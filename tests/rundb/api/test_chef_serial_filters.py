"""Ion Chef run facts on experiment (chefReagentsSerialNum, chefSolutionsSerialNum,
chefStartTime/EndTime, chefRemainingSeconds ...): exposed, checked on writes, and filterable on
experiment and compositeexperiment, where the two serials together mean "runs that used either
cartridge" (planned runs included)."""
import datetime as dt

from django.utils import timezone

from rundb import models as m

from . import factories

CHEF = ("chefReagentsSerialNum", "chefSolutionsSerialNum", "chefStartTime", "chefEndTime",
        "chefRemainingSeconds", "chefFlexibleWorkflow", "chefOperationMode", "chefProtocolDeviationName")


def _ids(api, name, **params):
    response = api.get(f"{name}/", params)
    assert response.status_code == 200, response.content
    return sorted(o["id"] for o in response.json()["objects"])


def test_fields_are_exposed_with_their_types(api, db):
    exp = factories.experiment(chefReagentsSerialNum="R123", chefSolutionsSerialNum="S456",
                               chefStartTime=timezone.make_aware(dt.datetime(2024, 1, 2, 3, 4, 5)),
                               chefRemainingSeconds=90)
    row = api.get(f"experiment/{exp.pk}/").json()
    assert {k: row[k] for k in CHEF} == {
        "chefReagentsSerialNum": "R123", "chefSolutionsSerialNum": "S456",
        "chefStartTime": "2024-01-02T03:04:05+00:00", "chefEndTime": None, "chefRemainingSeconds": 90,
        "chefFlexibleWorkflow": "", "chefOperationMode": "", "chefProtocolDeviationName": ""}
    schema = api.get("experiment/schema/").json()["fields"]
    assert {schema[k]["type"] for k in CHEF[:2]} == {"string"}
    assert schema["chefStartTime"]["type"] == "datetime" and schema["chefRemainingSeconds"]["type"] == "integer"
    composite = api.get("compositeexperiment/", {"id": exp.pk}).json()["objects"][0]
    assert (composite["chefReagentsSerialNum"], composite["chefSolutionsSerialNum"]) == ("R123", "S456")
    assert composite["chefStartTime"] == "2024-01-02T03:04:05+00:00"


def test_chef_patch_is_stored_and_checked(api, db):
    exp = factories.experiment()
    ok = api.patch(f"experiment/{exp.pk}/", {"chefReagentsSerialNum": "R" * 20, "chefRemainingSeconds": "12.7",
                                              "chefStartTime": "2024-01-02T00:00:00", "chefOperationMode": "Normal"})
    assert ok.status_code == 202, ok.content
    assert ok.json()["chefRemainingSeconds"] == 12
    exp.refresh_from_db()
    assert exp.chefReagentsSerialNum == "R" * 20 and exp.chefOperationMode == "Normal"
    # End before the stored start; a serial over the GS1 length; a non-number.
    for body, key in [({"chefEndTime": "2024-01-01T00:00:00"}, "chefEndTime"),
                      ({"chefSolutionsSerialNum": "S" * 21}, "chefSolutionsSerialNum"),
                      ({"chefRemainingSeconds": "soon"}, "chefRemainingSeconds"),
                      ({"chefRemainingSeconds": True}, "chefRemainingSeconds"),
                      ({"chefRemainingSeconds": 1e12}, "chefRemainingSeconds")]:
        response = api.patch(f"experiment/{exp.pk}/", body)
        assert response.status_code == 400, (body, response.content)
        assert key in response.json()["error"], response.json()
    exp.refresh_from_db()
    assert exp.chefEndTime is None and exp.chefSolutionsSerialNum == "" and exp.chefRemainingSeconds == 12
    # Both times in one request: the order is checked within the body too.
    bad = api.patch(f"experiment/{exp.pk}/", {"chefStartTime": "2024-02-02T00:00:00",
                                               "chefEndTime": "2024-02-01T00:00:00"})
    assert bad.status_code == 400 and "chefEndTime" in bad.json()["error"]
    good = api.patch(f"experiment/{exp.pk}/", {"chefEndTime": "2024-01-02T05:00:00"})
    assert good.status_code == 202, good.content


def test_experiment_filters(api, db):
    a = factories.experiment(chefReagentsSerialNum="R1", chefSolutionsSerialNum="S1")
    b = factories.experiment(chefReagentsSerialNum="R2", chefSolutionsSerialNum="S1")
    factories.experiment()
    assert _ids(api, "experiment", chefReagentsSerialNum="R1") == [a.pk]
    assert _ids(api, "experiment", chefSolutionsSerialNum="S1") == sorted([a.pk, b.pk])
    assert _ids(api, "experiment", chefReagentsSerialNum__startswith="R") == sorted([a.pk, b.pk])
    # On experiment both together are two ordinary (AND) filters.
    assert _ids(api, "experiment", chefReagentsSerialNum="R2", chefSolutionsSerialNum="S1") == [b.pk]


def test_compositeexperiment_serial_pair_is_an_or_including_planned_runs(api, db):
    ran = factories.experiment(chefReagentsSerialNum="R9", chefSolutionsSerialNum="S0")
    # Templated on the Chef, not yet sequenced: planned, no data folder.
    templated = factories.experiment(status="planned", expDir="", chefReagentsSerialNum="R1",
                                     chefSolutionsSerialNum="S9")
    pending = factories.experiment(status="pending", expDir="", chefReagentsSerialNum="R9")
    transferred = factories.experiment(status="transferred", chefSolutionsSerialNum="S9")
    factories.experiment(chefReagentsSerialNum="R7", chefSolutionsSerialNum="S7")
    factories.experiment(expName="NONE_ReportOnly_NONE", chefReagentsSerialNum="R9")
    pair = {"chefReagentsSerialNum": "R9", "chefSolutionsSerialNum": "S9"}
    assert _ids(api, "compositeexperiment", **pair) == sorted([ran.pk, templated.pk])
    # One alone: an ordinary filter, with the usual exclusion of planned runs without data.
    assert _ids(api, "compositeexperiment", chefSolutionsSerialNum="S9") == [transferred.pk]
    assert _ids(api, "compositeexperiment", chefReagentsSerialNum="R9") == [ran.pk]
    assert pending.pk not in _ids(api, "compositeexperiment", **pair)
    # Paging links keep the pair.
    page = api.get("compositeexperiment/", {**pair, "limit": 1}).json()
    assert page["meta"]["total_count"] == 2
    assert "chefReagentsSerialNum=R9" in page["meta"]["next"] and "chefSolutionsSerialNum=S9" in page["meta"]["next"]
    # Other filters still apply alongside the pair; a bad one is still a 400.
    assert _ids(api, "compositeexperiment", **pair, status="run") == [ran.pk]
    assert api.get("compositeexperiment/", {**pair, "id": "abc"}).status_code == 400
    # The mesh mount answers the same.
    mesh = api.get("/rundb/api/mesh/v1/compositeexperiment/", pair).json()
    assert sorted(o["id"] for o in mesh["objects"]) == sorted([ran.pk, templated.pk])


def test_chef_fields_order_on_compositeexperiment(api, db):
    early = factories.experiment(chefStartTime=timezone.make_aware(dt.datetime(2024, 1, 1)))
    late = factories.experiment(chefStartTime=timezone.make_aware(dt.datetime(2024, 6, 1)))
    rows = api.get("compositeexperiment/", {"order_by": "-chefStartTime", "chefStartTime__isnull": "false"}).json()
    assert [o["id"] for o in rows["objects"]] == [late.pk, early.pk]
    assert m.Experiment.objects.filter(chefStartTime__isnull=False).count() == 2


def test_chef_info_on_the_plan_reaches_the_run(api, catalog):
    created = api.post("plannedexperiment/", {"planName": "chef_plan", "chipType": "530", "sample": "s1",
                                              "templatingKitName": "Ion Chef S530 V1"})
    assert created.status_code == 201, created.content
    plan = created.json()
    info = {"chefReagentsSerialNum": "R42", "chefSolutionsSerialNum": "S42", "chefRemainingSeconds": "30",
            "chefStartTime": "2024-05-01T10:00:00", "chefInstrumentName": "Chef1", "chefUnknownKey": "kept"}
    response = api.patch(f"plannedexperiment/{plan['id']}/", {"chefInfo": info, "planStatus": "planned"})
    assert response.status_code == 202, response.content
    exp = m.Experiment.objects.get(plan_id=plan["id"])
    assert (exp.chefReagentsSerialNum, exp.chefSolutionsSerialNum, exp.chefRemainingSeconds,
            exp.chefInstrumentName) == ("R42", "S42", 30, "Chef1")
    assert exp.chefStartTime == timezone.make_aware(dt.datetime(2024, 5, 1, 10))
    assert response.json()["chefInfo"]["chefUnknownKey"] == "kept"
    # The templated (planned, no data yet) run now counts for its cartridges.
    pair = {"chefReagentsSerialNum": "R42", "chefSolutionsSerialNum": "nope"}
    assert _ids(api, "compositeexperiment", **pair) == [exp.pk]
    # Checked as an experiment PATCH is; nothing is stored on failure.
    for bad in ({"chefReagentsSerialNum": "R" * 21}, {"chefEndTime": "2024-04-01T00:00:00"},
                {"chefRemainingSeconds": "later"}, {"chefStartTime": "tuesday"}, {"chefProgress": [1]}):
        response = api.patch(f"plannedexperiment/{plan['id']}/", {"chefInfo": bad})
        assert response.status_code == 400, (bad, response.content)
        assert "chefInfo" in response.json()["error"], response.json()
    exp.refresh_from_db()
    assert exp.chefReagentsSerialNum == "R42" and exp.chefEndTime is None
