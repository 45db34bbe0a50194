"""analysisargs/getargs/: the argument set that best matches a chip, kits or a plan."""
import pytest

from rundb import models as m


@pytest.fixture
def arg_sets(db, catalog):
    general = m.AnalysisArgs.objects.create(name="520 default", chipType="520", chip_default=True,
                                            beadfindargs="justBeadFind --general")
    kit = m.AnalysisArgs.objects.create(name="520 S5 kit", chipType="520", sequenceKitName="Ion S5 Sequencing Kit",
                                        beadfindargs="justBeadFind --kit")
    return general, kit


def test_chip_default_and_kit_match(api, arg_sets):
    body = api.get("analysisargs/getargs/", {"chipType": "520"}).json()
    assert body["name"] == "520 default" and body["beadfindargs"] == "justBeadFind --general"
    assert set(m.defaults.ARG_NAMES) <= set(body)
    body = api.get("analysisargs/getargs/", {"chipType": "520", "sequenceKitName": "Ion S5 Sequencing Kit"}).json()
    assert body["name"] == "520 S5 kit"
    # A set naming another kit is never chosen.
    body = api.get("analysisargs/getargs/", {"chipType": "520", "sequenceKitName": "Other"}).json()
    assert body["name"] == "520 default"


def test_plan_guid_uses_the_plans_chip_and_kits(api, arg_sets):
    plan = api.post("plannedexperiment/", {"planName": "p", "chipType": "520", "sample": "s",
                                          "templatingKitName": "Ion 520/530 Kit-OT2",
                                          "sequencekitname": "Ion S5 Sequencing Kit"}).json()
    body = api.get("analysisargs/getargs/", {"planGUID": plan["planGUID"]}).json()
    assert body["name"] == "520 S5 kit"


def test_bad_requests(api, anon, arg_sets):
    assert api.get("analysisargs/getargs/").status_code == 400
    assert api.get("analysisargs/getargs/", {"chipType": "999"}).status_code == 404
    assert api.get("analysisargs/getargs/", {"planGUID": "nope"}).status_code == 404
    assert api.post("analysisargs/getargs/", {}).status_code == 405
    assert anon.get("analysisargs/getargs/", {"chipType": "520"}).status_code == 401
