"""The URL chooses the row a write changes, never the body (rundb/api/base/hydrate.py check_identity).

On PUT / PATCH of an existing row, ``id`` / ``pk`` / ``resource_uri`` (and a natural key such
as a rig's name) equal to the URL's row are ignored and a different one is 400: a body cannot
copy a row into another id or re-target the write. On POST they are ignored (ids are the
database's to hand out)."""
import pytest

from rundb import models as m

from . import factories

API = "/rundb/api/v1/"


@pytest.fixture
def rows(db, admin):
    home = m.Location.objects.create(name="Home", comments="a")
    lab = m.Location.objects.create(name="Lab", comments="b")
    chip_a = m.Chip.objects.create(name="520", description="a")
    chip_b = m.Chip.objects.create(name="530", description="b")
    msg_a = m.Message.objects.create(body="a")
    msg_b = m.Message.objects.create(body="b")
    res = factories.result(metrics=False)
    plug = factories.plugin()
    pr_a = factories.plugin_result(res, plug, admin[0], store={"v": "a"})
    pr_b = factories.plugin_result(res, plug, admin[0], store={"v": "b"})
    return {
        "location": (m.Location, home, lab, "comments"),
        "chip": (m.Chip, chip_a, chip_b, "description"),
        "message": (m.Message, msg_a, msg_b, "body"),
        "pluginresult": (m.PluginResult, pr_a, pr_b, "store"),
    }


def _value(field):
    return {"v": "new"} if field == "store" else "new"


def _snapshot(model, field):
    return {pk: value for pk, value in model.objects.values_list("pk", field)}


CASES = ["location", "chip", "message", "pluginresult"]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("key", ["id", "pk", "resource_uri"])
def test_another_identity_in_the_body_is_refused(rows, api, name, method, key):
    model, a, b, field = rows[name]
    before = _snapshot(model, field)
    other = f"{API}{name}/{b.pk}/" if key == "resource_uri" else b.pk
    response = getattr(api, method)(f"{name}/{a.pk}/", {key: other, field: _value(field)})
    assert response.status_code == 400, response.content
    assert key in response.json()["error"]
    assert _snapshot(model, field) == before  # nothing written, nothing copied


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("key", ["id", "pk", "resource_uri"])
def test_the_rows_own_identity_is_ignored(rows, api, name, key):
    model, a, b, field = rows[name]
    before = _snapshot(model, field)
    same = f"{API}{name}/{a.pk}/" if key == "resource_uri" else a.pk
    response = api.patch(f"{name}/{a.pk}/", {key: same, field: _value(field)})
    assert response.status_code == 202, response.content
    after = _snapshot(model, field)
    assert set(after) == set(before)
    assert after[a.pk] == _value(field) and after[b.pk] == before[b.pk]


@pytest.mark.parametrize("name", ["location", "message"])
def test_post_ignores_a_body_id(rows, api, name):
    model, a, b, field = rows[name]
    before = _snapshot(model, field)
    body = {"id": a.pk, "pk": b.pk, "resource_uri": f"{API}{name}/{b.pk}/", field: "created"}
    if name == "location":
        body["name"] = "Annex"
    response = api.post(f"{name}/", body)
    assert response.status_code == 201, response.content
    after = _snapshot(model, field)
    assert len(after) == len(before) + 1
    assert after[a.pk] == before[a.pk] and after[b.pk] == before[b.pk]
    new_pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert new_pk not in before and after[new_pk] == "created"


def test_patch_list_entry_cannot_retarget(rows, api):
    model, a, b, field = rows["location"]
    before = _snapshot(model, field)
    response = api.patch("location/", {"objects": [
        {"resource_uri": f"{API}location/{a.pk}/", "id": b.pk, "comments": "new"}]})
    assert response.status_code == 400, response.content
    assert _snapshot(model, field) == before


def test_natural_key_in_the_body_cannot_rename_or_copy_a_rig(db, api):
    home = m.Location.objects.create(name="Home")
    m.Rig.objects.create(name="S5one", location=home, comments="one")
    m.Rig.objects.create(name="S5two", location=home, comments="two")
    for method in ("put", "patch"):
        response = getattr(api, method)("rig/S5one/", {"name": "S5two", "comments": "hijack",
                                                      "location": f"{API}location/{home.pk}/"})
        assert response.status_code == 400, response.content
        assert "name" in response.json()["error"]
    assert dict(m.Rig.objects.values_list("name", "comments")) == {"S5one": "one", "S5two": "two"}
    response = api.patch("rig/S5one/", {"name": "S5one", "comments": "edited"})
    assert response.status_code == 202, response.content
    assert dict(m.Rig.objects.values_list("name", "comments")) == {"S5one": "edited", "S5two": "two"}


def test_patch_list_cannot_create_a_row_at_a_chosen_id(rows, api):
    model, a, b, field = rows["location"]
    count = model.objects.count()
    response = api.patch("location/", {"objects": [{"resource_uri": f"{API}location/99999/", "name": "x"}]})
    assert response.status_code == 404, response.content
    assert model.objects.count() == count and not model.objects.filter(pk=99999).exists()
