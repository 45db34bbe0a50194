"""plannedexperiment: create (with shell experiment, EAS, samples), validate, update."""
import re
import uuid

import pytest

from rundb import models as m

BASE = {"planName": "DOCS my plan", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2",
        "sequencekitname": "Ion S5 Sequencing Kit", "librarykitname": "Ion Xpress Plus Fragment Library Kit",
        "library": "hg19", "sample": "my sample"}


def create(api, **changes):
    body = {**BASE, **changes}
    return api.post("plannedexperiment/", {k: v for k, v in body.items() if v is not None})


def test_create_returns_the_plan_and_makes_the_run_shell(api, catalog):
    response = create(api, **{"Bead Loading (%)": 40})
    assert response.status_code == 201, response.content
    plan = response.json()
    assert response["Location"].endswith(plan["resource_uri"])
    assert re.fullmatch(r"[A-Z0-9]{5}", plan["planShortID"])
    uuid.UUID(plan["planGUID"])
    assert plan["planStatus"] == "planned" and plan["origin"].startswith("api|")
    assert plan["planName"] == "DOCS_my_plan" and plan["planDisplayedName"] == "DOCS my plan"
    assert plan["libraryKey"] == "TCAG" and plan["flows"] == 500
    assert plan["flowsInOrder"] == "TACGTACGTCTGAGCATCGATCGATGTACAGC"
    assert plan["qcValues"][0]["threshold"] == 40 and plan["qcValues"][0]["qcType"]["qcName"] == "Bead Loading (%)"
    exp = m.Experiment.objects.get(plan_id=plan["id"])
    assert plan["experiment"] == f"/rundb/api/v1/experiment/{exp.pk}/"
    assert (exp.expName, exp.unique, exp.expDir, exp.status) == (plan["planGUID"], plan["planGUID"], "", "planned")
    eas = exp.eas_set.get()
    assert (eas.reference, eas.libraryKitName, eas.isEditable) == ("hg19", "Ion Xpress Plus Fragment Library Kit", True)
    assert list(exp.samples.values_list("name", "displayedName")) == [("my_sample", "my sample")]


def test_chef_kit_plans_are_pending(api, catalog):
    plan = create(api, templatingKitName="Ion Chef S530 V1").json()
    assert plan["planStatus"] == "pending"


def test_names_resolve_to_canonical_values(api, catalog):
    plan = create(api, chipType="Ion 540 Chip", templatingKitName="ion 520 & ion 530 kit - ot2").json()
    assert plan["chipType"] == "540" and plan["templatingKitName"] == "Ion 520/530 Kit-OT2"


def test_empty_body_lists_the_required_fields(api, catalog):
    response = api.post("plannedexperiment/", {})
    assert response.status_code == 400
    assert set(response.json()["error"]) >= {"planName", "chipType", "templatingKitName", "sample"}


@pytest.mark.parametrize("changes, field", [
    ({"planName": "bad/name"}, "planName"),
    ({"planName": "x" * 61}, "planName"),
    ({"chipType": "999"}, "chipType"),
    ({"chipType": "314"}, "chipType"),  # inactive
    ({"templatingKitName": "No Such Kit"}, "templatingKitName"),
    ({"sequencekitname": "nope"}, "sequencekitname"),
    ({"librarykitname": "nope"}, "librarykitname"),
    ({"barcodeId": "NoKit"}, "barcodeId"),
    ({"libraryKey": "GGGG"}, "libraryKey"),
    ({"flows": 5000}, "flows"),
    ({"planStatus": "bogus"}, "planStatus"),
    ({"sample": "-bad sample"}, "sample"),
    ({"runType": "NOPE"}, "runType"),
])
def test_invalid_values_are_400_naming_the_field(api, catalog, changes, field):
    response = create(api, **changes)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]
    assert not m.PlannedExperiment.objects.exists()


def test_sample_is_dropped_with_a_warning_when_barcoded_samples_are_given(api, catalog):
    # The API examples' barcoded plan sends both and expects 201.
    response = create(api, barcodeId="IonXpress",
                      barcodedSamples={"s": {"barcodes": ["IonXpress_001"],
                                             "barcodeSampleInfo": {"IonXpress_001": {"nucleotideType": "DNA"}}}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sample"] == "" and "sample" in body["Warnings"]
    assert list(m.Experiment.objects.get(plan_id=body["id"]).samples.values_list("name", flat=True)) == ["s"]


def test_barcode_kit_without_barcoded_samples_is_400(api, catalog):
    response = create(api, barcodeId="IonXpress")
    assert response.status_code == 400 and "sample" in response.json()["error"]


def test_barcoded_plan(api, catalog):
    samples = {
        "demo sample 1": {"barcodes": ["IonXpress_003"],
                          "barcodeSampleInfo": {"IonXpress_003": {"nucleotideType": "DNA", "reference": "hg19",
                                                                  "description": "d1"}}},
        "demo sample 2": {"barcodes": ["IonXpress_004"],
                          "barcodeSampleInfo": {"IonXpress_004": {"nucleotideType": "DNA", "reference": "hg19"}}},
    }
    response = create(api, sample=None, barcodeId="IonXpress", barcodedSamples=samples)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["barcodedSamples"]["demo sample 1"]["barcodes"] == ["IonXpress_003"]
    exp = m.Experiment.objects.get(plan_id=plan["id"])
    assert sorted(exp.samples.values_list("name", flat=True)) == ["demo_sample_1", "demo_sample_2"]
    assert exp.eas_set.get().barcodeKitName == "IonXpress"


def test_barcoded_samples_are_checked_against_the_kit(api, catalog):
    bad = {"s": {"barcodes": ["MuSeek_001"], "barcodeSampleInfo": {"MuSeek_001": {"nucleotideType": "DNA"}}}}
    response = create(api, sample=None, barcodeId="IonXpress", barcodedSamples=bad)
    assert response.status_code == 400 and "barcodedSamples" in response.json()["error"]
    literal = "{'s': {'barcodes': ['IonXpress_001'], 'barcodeSampleInfo': {'IonXpress_001': {'nucleotideType': 'DNA'}}}}"
    assert create(api, sample=None, barcodeId="IonXpress", barcodedSamples=literal).status_code == 201


def test_template_with_chip_none(api, catalog):
    response = api.post("plannedexperiment/", {"planName": "tmpl", "isReusable": True, "chipType": "none"})
    assert response.status_code == 201, response.content
    assert response.json()["chipType"] == "" and response.json()["isReusable"] is True


def test_projects_are_names_and_created(api, catalog):
    plan = create(api, projects=["alpha", "beta"]).json()
    assert plan["projects"] == ["alpha", "beta"] and plan["project"] == "alpha"
    assert m.Project.objects.filter(name__in=["alpha", "beta"]).count() == 2


def test_patch_status_updates_plan_and_run(api, catalog):
    plan = create(api).json()
    response = api.patch(f"plannedexperiment/{plan['id']}/", {"planStatus": "Reserved"})
    assert response.status_code == 202
    assert response.json()["planStatus"] == "reserved"
    assert m.Experiment.objects.get(plan_id=plan["id"]).status == "reserved"
    response = api.patch(f"plannedexperiment/{plan['id']}/", {"planStatus": "bogus"})
    assert response.status_code == 400 and "planStatus" in response.json()["error"]


def test_put_returns_200_with_the_plan(api, catalog):
    plan = create(api).json()
    response = api.put(f"plannedexperiment/{plan['id']}/", {"notes": "ready"})
    assert response.status_code == 200 and response.json()["notes"] == "ready"


def test_short_ids_are_unique_among_open_plans(api, catalog):
    ids = {create(api, planName=f"p{i}").json()["planShortID"] for i in range(5)}
    assert len(ids) == 5
