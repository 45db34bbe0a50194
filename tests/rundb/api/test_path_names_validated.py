"""Names that become file or folder names are refused (400 with a message) when they hold a
path separator, '..', NUL or another control character; nothing is written to disk."""
import os

import pytest

from rundb import models as m

from . import factories

pytestmark = pytest.mark.django_db
BAD = ["../../x", "a/b", "..", "a\\b", "x\x00y", "line\nbreak", "tab\there"]


@pytest.fixture
def ionuser(db, client_for):
    return client_for(*factories.user("ionuser", groups=["ionusers"]))


@pytest.mark.parametrize("name", BAD)
def test_results_name_patch_is_400(ionuser, name, tmp_path):
    storage = m.ReportStorage.objects.create(name="T", dirPath=str(tmp_path / "root"), webServerPath="/output/T",
                                             default=True)
    res = factories.result()  # factories.storage() picks the default storage made above
    assert res.reportstorage == storage
    before = sorted(tmp_path.parent.rglob("*"))
    resp = ionuser.patch(f"results/{res.pk}/", {"resultsName": name})
    assert resp.status_code == 400, resp.content
    # NUL is refused for every string of any body (rundb/api/serializers.py), before field checks
    assert "resultsName" in resp.json()["error"] or ("\x00" in name and "NUL" in resp.json()["error"])
    res.refresh_from_db()
    assert res.resultsName != name
    assert sorted(tmp_path.parent.rglob("*")) == before


def test_results_name_create_is_400(ionuser):
    exp = factories.experiment()
    factories.storage()  # the default storage the new report gets
    resp = ionuser.post("results/", {"resultsName": "../escape", "experiment": f"/rundb/api/v1/experiment/{exp.pk}/"})
    assert resp.status_code == 400, resp.content
    assert not m.Results.objects.filter(resultsName="../escape").exists()


def test_ordinary_names_still_work(ionuser):
    res = factories.result()
    resp = ionuser.patch(f"results/{res.pk}/", {"resultsName": "My report v1.2 (rerun)"})
    assert resp.status_code == 202, resp.content
    res.refresh_from_db()
    assert res.resultsName == "My report v1.2 (rerun)"


@pytest.mark.parametrize("resource,field,make", [
    ("dnabarcode", "id_str", lambda: m.dnaBarcode.objects.create(name="K", id_str="K_001", sequence="ACGT", index=1)),
    ("experiment", "expName", lambda: factories.experiment()),
])
def test_other_names_used_as_file_names(api, resource, field, make):
    obj = make()
    resp = api.patch(f"{resource}/{obj.pk}/", {field: "../../etc/passwd"})
    assert resp.status_code == 400, resp.content
    assert field in str(resp.json()["error"])
    obj.refresh_from_db()
    assert getattr(obj, field) != "../../etc/passwd"


@pytest.mark.parametrize("value", ["relative/dir", "/results/../etc", "/results/a\x00b"])
def test_run_folder_path_is_checked(api, value):
    exp = factories.experiment()
    resp = api.patch(f"experiment/{exp.pk}/", {"expDir": value})
    assert resp.status_code == 400, resp.content
    assert "expDir" in str(resp.json()["error"]) or ("\x00" in value and "NUL" in str(resp.json()["error"]))
    exp.refresh_from_db()
    assert exp.expDir != value


def test_the_check_holds_outside_the_api_too(db):
    from django.core.exceptions import ValidationError

    res = factories.result()
    res.resultsName = "../out"
    with pytest.raises(ValidationError):
        res.save()
    assert os.sep not in m.Results.objects.get(pk=res.pk).resultsName
