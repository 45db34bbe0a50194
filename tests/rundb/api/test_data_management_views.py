"""Data-management and monitor read models, cluster history, support uploads."""
import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from rundb import models as m

from . import factories


def _report(tmp_path, name="run1", **exp):
    raw = tmp_path / name
    raw.mkdir()
    experiment = factories.experiment()
    for key, value in {"expDir": str(raw), "status": "run", **exp}.items():
        setattr(experiment, key, value)
    experiment.save()
    result = factories.result(experiment)
    m.ReportStorage.objects.filter(pk=result.reportstorage_id).update(dirPath=str(tmp_path / "reports"))
    return result


def test_compositedatamanagement_states_and_search(api, tmp_path):
    report = _report(tmp_path, storage_options="KI")
    row = api.get("compositedatamanagement/").json()["objects"][0]
    assert row["id"] == report.pk and row["sigproc_state"] == "Local" and row["sigproc_keep"] is True
    assert row["in_process"] is False
    detail = api.get(row["resource_uri"]).json()
    assert isinstance(detail["sigproc_diskspace"], float)
    assert api.get("compositedatamanagement/", {"search_name": "^nomatch$"}).json()["objects"] == []
    assert api.get("compositedatamanagement/", {"search_name": "("}).status_code == 400


def test_history_views(api, tmp_path):
    report = _report(tmp_path)
    results_type = ContentType.objects.get_for_model(m.Results)
    m.EventLog.objects.create(text="Archived", object_pk=report.pk, content_type=results_type, username="ionadmin")
    m.EventLog.objects.create(text="node7\nstate: E\nerror: disk full", username="cluster")
    rows = api.get("datamanagementhistory/").json()["objects"]
    assert [(r["text"], r["resultsName"]) for r in rows] == [("Archived", report.resultsName)]
    assert api.get("datamanagementhistory/", {"resultsName": "["}).status_code == 400
    node = api.get("clusterinfohistory/").json()["objects"]
    assert (node[0]["name"], node[0]["state"], node[0]["error"]) == ("node7", "E", "disk full")
    assert api.get("clusterinfohistory/", {"name": "node8"}).json()["objects"] == []
    user = factories.user(groups=["ionusers"])
    from .conftest import ApiClient

    assert ApiClient(user[0].username, user[1]).get("clusterinfohistory/clear/").status_code == 403
    assert api.get("clusterinfohistory/clear/").status_code == 202
    assert api.get("clusterinfohistory/").json()["objects"] == []
    assert m.EventLog.objects.filter(content_type=results_type).count() == 1


def test_monitorresult_window(api, tmp_path):
    fresh = _report(tmp_path, "fresh", ftpStatus="Complete")
    old = _report(tmp_path, "old", ftpStatus="Complete", date=timezone.now() - dt.timedelta(days=10))
    old.timeStamp = timezone.now() - dt.timedelta(days=5)
    old.save()
    ids = [o["id"] for o in api.get("monitorresult/").json()["objects"]]
    assert ids == [fresh.pk]
    row = api.get(f"monitorresult/{fresh.pk}/").json()
    assert row["experiment"]["resource_uri"] == "" and "qcThresholds" in row["experiment"]


def test_supportupload_says_not_configured(api, tmp_path):
    report = _report(tmp_path)
    reply = api.post("supportupload/", {"result": f"/rundb/api/v1/results/{report.pk}/", "contact_email": "a@b.org",
                                        "description": "help"})
    assert reply.status_code == 201, reply.content
    row = api.get("supportupload/").json()["objects"][0]
    assert row["local_status"] == "Not configured" and "not configured" in row["local_message"]
    assert api.post("supportupload/", {"contact_email": "a@b.org"}).status_code == 400
