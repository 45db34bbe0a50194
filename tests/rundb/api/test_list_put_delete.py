"""List-level PUT (replace the rows the filters select) and DELETE (remove them), where the SDK
reference allows them; both need the delete permission and run in one transaction."""
from rundb import models as m
from rundb.api.api import v1_api


def _chips(*names):
    for name in names:
        m.Chip.objects.create(name=name, description=name)


def test_delete_list_removes_only_the_filtered_rows(api, db):
    _chips("510", "520", "530")
    response = api.delete("chip/?name__in=510,520")
    assert response.status_code == 204, response.content
    assert list(m.Chip.objects.values_list("name", flat=True)) == ["530"]


def test_delete_list_without_filters_removes_everything(api, db):
    _chips("510", "520")
    assert api.delete("chip/").status_code == 204
    assert not m.Chip.objects.exists()


def test_put_list_replaces_the_filtered_rows(api, db):
    _chips("510", "520", "530")
    body = {"objects": [{"name": "540", "description": "new"}, {"name": "550", "description": "new too"}]}
    response = api.put("chip/?name__startswith=5&name__lt=525", body)
    assert response.status_code == 204, response.content
    assert sorted(m.Chip.objects.values_list("name", flat=True)) == ["530", "540", "550"]


def test_put_list_without_objects_is_400_and_changes_nothing(api, db):
    _chips("510")
    response = api.put("chip/", {"rows": []})
    assert response.status_code == 400 and "objects" in response.json()["error"]
    assert m.Chip.objects.count() == 1


def test_put_list_with_a_bad_object_rolls_back_the_deletion(api, db):
    _chips("510", "520")
    response = api.put("chip/", {"objects": [{"name": "540"}, {"description": "no name"}]})
    assert response.status_code == 400
    assert "name" in response.json()["error"]
    assert sorted(m.Chip.objects.values_list("name", flat=True)) == ["510", "520"]


def test_list_writes_need_the_delete_permission(client_for, db):
    from . import factories

    _chips("510")
    user, key = factories.user("plain")  # authenticated, no model permissions
    api = client_for(user, key)
    assert api.delete("chip/").status_code == 403
    assert api.put("chip/", {"objects": []}).status_code == 403
    assert m.Chip.objects.count() == 1


def test_delete_list_of_referenced_rows_is_409(api, db):
    loc = m.Location.objects.create(name="Home")
    m.Rig.objects.create(name="S5-1", location=loc)
    response = api.delete("location/")
    assert response.status_code == 409, response.content
    assert m.Location.objects.count() == 1


def test_schema_and_allow_header_offer_them_where_the_reference_does(anon, api_spec):
    for name, res in v1_api._registry.items():
        ours = res._meta.list_allowed_methods
        spec = api_spec.get(name)
        detail = getattr(res._meta, "detail_allowed_methods", [])
        if spec is None or "get" not in ours or "delete" not in detail or name == "plugin":
            # read-only views and rows that cannot be deleted keep list writes off; plugin rows
            # change only by install/upgrade/uninstall (README "Security model")
            continue
        for method in ("put", "delete"):
            if method in spec["allowed_methods"]:
                assert method in ours, (name, method)
        schema = anon.get(f"/rundb/api/v1/{name}/schema/").json()
        offered = {m for m in ("put", "delete") if m in spec["allowed_methods"]}
        assert offered <= set(schema["allowed_list_http_methods"]), name
