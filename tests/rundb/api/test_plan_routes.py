"""plannedexperiment/create/ (from a template), copy/<planGUID>/ and <pk>/transfer/."""
import pytest

from rundb import models as m

from . import factories
from .conftest import ApiClient


@pytest.fixture
def template(api, catalog):
    reply = api.post("plannedexperiment/", {
        "planName": "Amp template", "isReusable": True, "chipType": "520", "barcodeId": "IonXpress",
        "templatingKitName": "Ion 520/530 Kit-OT2", "project": "alpha", "notes": "from template"})
    assert reply.status_code == 201, reply.content
    return reply.json()


def test_create_from_template(api, template):
    reply = api.post("plannedexperiment/create/", {
        "templateName": "Amp template", "planName": "My Plan",
        "samplesList": [{"sampleName": "S1", "dnabarcode": "IonXpress_001", "nucleotideType": "DNA"}]})
    assert reply.status_code == 202, reply.content
    plan = reply.json()
    assert (plan["planName"], plan["planDisplayedName"]) == ("My_Plan", "My Plan")
    assert plan["barcodedSamples"]["S1"]["barcodes"] == ["IonXpress_001"]
    assert plan["isReusable"] is False and plan["projects"] == ["alpha"] and plan["notes"] == "from template"
    assert plan["origin"].startswith("api") and plan["metaData"]["fromTemplate"] == "Amp_template"
    assert m.PlannedExperiment.objects.get(pk=template["id"]).isReusable  # the template is untouched


def test_create_errors(api, template):
    two = [{"sampleName": "S1", "dnabarcode": "IonXpress_001"}, {"sampleName": "S2", "dnabarcode": "IonXpress_001"}]
    reply = api.post("plannedexperiment/create/", {"templateName": "Amp template", "planName": "p",
                                                    "samplesList": two})
    assert reply.status_code == 400
    assert "multiple samples assigned to barcode: IonXpress_001" in reply.json()["error"]["samples"]
    assert api.post("plannedexperiment/create/", {}).json()["error"] == {"templateName": " templateName is required. "}
    assert api.post("plannedexperiment/create/", {"templateName": "nope"}).status_code == 400
    assert api.post("plannedexperiment/create/", raw="[").status_code == 400
    reply = api.post("plannedexperiment/create/", {"templateName": "Amp template", "planName": "bad/name",
                                                   "samplesList": "x"})
    assert reply.status_code == 400 and "samples" in reply.json()["error"]
    reply = api.post("plannedexperiment/create/", {"templateName": "Amp template", "planName": "bad/name",
                                                   "samplesList": [{"sampleName": "S", "dnabarcode": "IonXpress_002"}]})
    assert reply.status_code == 400 and "planName" in reply.json()["error"]
    assert api.post("plannedexperiment/create/", {"templateName": "Amp template", "sampleSetName": "none"}
                    ).json()["error"]["sampleSetName"]
    assert api.get("plannedexperiment/create/").json()["objects"]
    user, key = factories.user()
    assert ApiClient(user.username, key).post("plannedexperiment/create/", {"templateName": "x"}).status_code == 403


def test_copy_and_transfer(api, template):
    plan = api.post("plannedexperiment/create/", {
        "templateName": "Amp template", "planName": "Original",
        "samplesList": [{"sampleName": "S1", "dnabarcode": "IonXpress_001", "nucleotideType": "DNA"}]}).json()
    reply = api.client.post(f"/rundb/api/v1/plannedexperiment/copy/{plan['planGUID']}/", {"notes": "copied"},
                            **api.headers)
    assert reply.status_code == 202, reply.content
    copy = reply.json()
    assert copy["planName"] == "CopyOf_Original" and copy["notes"] == "copied"
    assert copy["planGUID"] != plan["planGUID"] and copy["barcodedSamples"]["S1"]["barcodes"] == ["IonXpress_001"]
    assert api.post("plannedexperiment/copy/unknown-guid/", {}).status_code == 410
    reply = api.post(f"plannedexperiment/{plan['id']}/transfer/", {})
    assert reply.status_code == 400 and "destination is required" in reply.json()["error"]
    reply = api.post(f"plannedexperiment/{plan['id']}/transfer/", {"destination": "ts2"})
    assert reply.status_code == 400 and "not configured" in reply.json()["error"]
    assert api.post("plannedexperiment/999999/transfer/", {"destination": "ts2"}).status_code == 404


def test_views_do_not_carry_plan_routes(api, template):
    assert api.post("plantemplatesummary/create/", {"templateName": "Amp template"}).status_code in (404, 405)
