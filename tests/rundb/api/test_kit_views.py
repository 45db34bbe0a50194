"""The kit-type views of kitinfo / kitpart keep only their kind of kit."""
from rundb import models as m


def _names(api, name, **params):
    response = api.get(f"{name}/", {"limit": 0, **params})
    assert response.status_code == 200, response.content
    return {o["name"] if "name" in o else o["barcode"] for o in response.json()["objects"]}


def test_pre_filters(api, catalog):
    m.KitInfo.objects.create(kitType="SequencingKit", name="OldPGM", uid="SEQ9", instrumentType="pgm", isActive=False)
    m.KitInfo.objects.create(kitType="SequencingKit", name="ProtonSeq", uid="SEQ8", instrumentType="proton")
    m.KitInfo.objects.create(kitType="SequencingKit", name="PgmSeq", uid="SEQ7", instrumentType="pgm")
    assert _names(api, "sequencingkitinfo") == {"Ion S5 Sequencing Kit", "OldPGM", "ProtonSeq", "PgmSeq"}
    assert _names(api, "activesequencingkitinfo") == {"Ion S5 Sequencing Kit", "ProtonSeq", "PgmSeq"}
    assert _names(api, "activepgmsequencingkitinfo") == {"Ion S5 Sequencing Kit", "PgmSeq"}
    assert _names(api, "activeprotonsequencingkitinfo") == {"Ion S5 Sequencing Kit", "ProtonSeq"}
    assert _names(api, "librarykitinfo") == {"Ion Xpress Plus Fragment Library Kit"}
    assert _names(api, "ionchefprepkitinfo") == {"Ion Chef S530 V1"}
    assert _names(api, "activeioncheflibraryprepkitinfo") == set()
    assert _names(api, "sequencingkitpart") == {"PSEQ0001"}
    assert _names(api, "librarykitpart") == {"PLIB0001"}


def test_rows_point_at_their_own_view_and_nest_parts(api, catalog):
    kit = m.KitInfo.objects.get(kitType="SequencingKit")
    row = api.get("activesequencingkitinfo/").json()["objects"][0]
    assert row["resource_uri"] == f"/rundb/api/v1/activesequencingkitinfo/{kit.pk}/"
    assert row["parts"][0]["kit"] == f"/rundb/api/v1/kitinfo/{kit.pk}/"
    assert row["defaultFlowOrder"].startswith("/rundb/api/v1/floworder/")
    part = api.get("sequencingkitpart/").json()["objects"][0]
    assert part["defaultFlowOrder"] == row["defaultFlowOrder"]


def test_a_kit_of_another_type_is_not_found_through_a_view(api, catalog):
    lib = m.KitInfo.objects.get(kitType="LibraryKit")
    assert api.get(f"sequencingkitinfo/{lib.pk}/").status_code == 404
    assert api.get("sequencingkitinfo/abc/").status_code == 404
    assert api.get("sequencingkitinfo/", {"flowCount__gt": "x"}).status_code == 400
