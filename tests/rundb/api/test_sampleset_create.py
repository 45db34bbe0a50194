"""sampleset/create/: a set with its samples in one go; plain sampleset writes refuse samplesList."""
from rundb import models as m

from . import factories
from .conftest import ApiClient

BODY = {"displayedName": "set A", "dnabarcodeKit": "IonXpress", "samplesList": [
    {"sampleName": "S 1", "dnabarcode": "IonXpress_001", "nucleotideType": "fusions", "sampleExternalId": "e1",
     "cellularityPct": "40", "pcrPlateRow": "A"},
    {"sampleName": "S2", "barcode": "IonXpress_002", "description": "normal"},
]}


def test_create_set_with_samples(api, catalog):
    reply = api.post("sampleset/create/", BODY)
    assert reply.status_code == 202, reply.content
    body = reply.json()
    assert body["displayedName"] == "set A" and body["sampleCount"] == 2 and body["status"] == "created"
    items = m.SampleSetItem.objects.filter(sampleSet_id=body["id"]).order_by("pk")
    assert [(i.sample.name, i.dnabarcode.id_str, i.nucleotideType) for i in items] == [
        ("S_1", "IonXpress_001", "rna"), ("S2", "IonXpress_002", "")]
    assert items[0].cellularityPct == 40 and items[0].sample.externalId == "e1"
    assert api.get("sampleset/create/").json()["objects"]


def test_create_errors_leave_nothing(api, catalog):
    bad = {**BODY, "samplesList": [{"sampleName": "S1", "dnabarcode": "IonXpress_001"},
                                   {"sampleName": "S2", "dnabarcode": "IonXpress_001"},
                                   {"sampleName": "bad/name"}, {"sampleName": "S3", "dnabarcode": "nope"},
                                   {"sampleName": "S4", "cellularityPct": "many"}]}
    reply = api.post("sampleset/create/", bad)
    assert reply.status_code == 400
    assert set(reply.json()["error"]) == {"S2", "bad/name", "S3", "S4"}
    assert not m.SampleSet.objects.exists() and not m.Sample.objects.exists()
    assert api.post("sampleset/create/", {"samplesList": "x"}).status_code == 400
    assert api.post("sampleset/create/", raw="[").status_code == 400
    reply = api.post("sampleset/create/", {"samplesList": []})  # no displayedName
    assert reply.status_code == 400 and "displayedName" in reply.json()["error"]
    user, key = factories.user()
    assert ApiClient(user.username, key).post("sampleset/create/", BODY).status_code == 403


def test_plain_post_refuses_samples_list(api, catalog):
    reply = api.post("sampleset/", {"displayedName": "x", "samplesList": []})
    assert reply.status_code == 400 and "sampleset/create" in reply.json()["sampleset"]
