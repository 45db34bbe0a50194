"""The pre-filtered plan views: which plans each shows, which fields, and writes through them."""
import pytest

from rundb import models as m


@pytest.fixture
def plans(api, catalog):
    def make(**body):
        body = {"chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2", **body}
        if not body.get("isReusable"):
            body.setdefault("sample", "s1")
        response = api.post("plannedexperiment/", body)
        assert response.status_code == 201, response.content
        return response.json()

    return {
        "ot_plan": make(planName="ot_plan"),
        "chef_plan": make(planName="chef_plan", templatingKitName="Ion Chef S530 V1"),
        "ot_template": make(planName="ot_template", isReusable=True),
        "chef_template": make(planName="chef_template", isReusable=True, templatingKitName="Ion Chef S530 V1"),
        "executed": make(planName="executed", planExecuted=True),
        "default_template": make(planName="default_template", isReusable=True, isSystemDefault=True),
    }


def _names(api, name, **params):
    response = api.get(f"{name}/", {"limit": 0, **params})
    assert response.status_code == 200, response.content
    return {o["planName"] for o in response.json()["objects"]}


def test_each_view_selects_its_plans(api, plans):
    assert plans["chef_plan"]["planStatus"] == "pending"
    assert _names(api, "availableplannedexperimentsummary") == {"ot_plan"}
    assert _names(api, "availableonetouchplannedexperiment") == {"ot_plan"}
    assert _names(api, "availableonetouchplannedexperimentsummary") == {"ot_plan"}
    assert _names(api, "availableionchefplannedexperiment") == {"chef_plan"}
    assert _names(api, "availableionchefplannedexperimentsummary") == {"chef_plan"}
    assert _names(api, "ionchefplantemplate") == {"chef_template"}
    assert _names(api, "ionchefplantemplatesummary") == {"chef_template"}
    assert _names(api, "onetouchplantemplate") == {"ot_template", "default_template"}
    assert _names(api, "plantemplatesummary") == {"ot_template", "chef_template", "default_template"}
    assert _names(api, "plantemplatebasicinfo") == {"ot_template", "chef_template"}
    assert len(_names(api, "plannedexperimentdb")) == 6


def test_summary_views_show_only_plan_columns(api, plans):
    row = api.get("plantemplatesummary/", {"planName": "ot_template"}).json()["objects"][0]
    assert "planGUID" in row and "barcodedSamples" not in row and "qcValues" not in row
    assert row["resource_uri"] == f"/rundb/api/v1/plantemplatesummary/{row['id']}/"
    chef = api.get("availableionchefplannedexperiment/").json()["objects"][0]
    assert chef["experiment"].startswith("/rundb/api/v1/experiment/")
    db = api.get(f"plannedexperimentdb/{plans['ot_plan']['id']}/").json()
    assert db["projects"] == [] and db["childPlans"] == [] and "bedfile" not in db


def test_basic_info_fields_and_filters(api, plans):
    rows = {o["planName"]: o for o in api.get("plantemplatebasicinfo/").json()["objects"]}
    assert rows["chef_template"]["templatePrepInstrumentType"] == "IonChef"
    assert rows["ot_template"]["templatePrepInstrumentType"] == "OneTouch"
    assert rows["ot_template"]["eas"].startswith("/rundb/api/v1/experimentanalysissettings/")
    assert _names(api, "plantemplatebasicinfo", sampleprep="IonChef") == {"chef_template"}
    assert _names(api, "plantemplatebasicinfo", user="_system") == set()
    assert api.post("plantemplatebasicinfo/", {}).status_code == 405


def test_writes_go_through_plan_validation_and_stay_in_view(api, plans):
    uri = f"availableplannedexperimentsummary/{plans['ot_plan']['id']}/"
    response = api.patch(uri, {"planStatus": "bogus"})
    assert response.status_code == 400 and "planStatus" in response.json()["error"]
    response = api.patch(uri, {"planStatus": "reserved"})
    assert response.status_code == 202, response.content
    assert m.PlannedExperiment.objects.get(pk=plans["ot_plan"]["id"]).planStatus == "reserved"
    # No longer available: the view no longer reaches it.
    assert api.get(uri).status_code == 404
    assert api.patch(uri, {"notes": "x"}).status_code == 404


def test_check_files_lists_what_templates_miss(api, plans):
    m.PlannedExperiment.objects.filter(planName="ot_template").update(library="hg19", bedfile="/hg19/a.bed")
    m.PlannedExperiment.objects.filter(planName="chef_template").update(library="mm10", regionfile="/mm10/h.bed")
    m.ReferenceGenome.objects.create(name="hg19", short_name="hg19")
    pub = m.Publisher.objects.create(name="BED")
    upload = m.ContentUpload.objects.create(publisher=pub)
    m.Content.objects.create(publisher=pub, contentupload=upload, file="/results/uploads/a.bed", path="/hg19/a.bed")
    body = api.get("plantemplatebasicinfo/check_files/").json()
    assert body == {"references": ["mm10"], "bedfiles": ["/mm10/h.bed"], "install_lock": False,
                    "files_available": False}
    body = api.get("plantemplatebasicinfo/check_files/", {"sampleprep": "OneTouch"}).json()
    assert body["files_available"] is True
    assert api.get("plantemplatebasicinfo/check_files/", {"id": "x"}).status_code == 400
