"""user activate/reject, rig status/config, torrentsuite/sgejobs."""
import pytest
from django.contrib.auth import get_user_model

from rundb import models as m

from . import factories
from .conftest import ApiClient


@pytest.fixture
def pending_user(db):
    user, _ = factories.user("newbie", active=False)
    m.UserProfile.objects.update_or_create(user=user, defaults={"needs_activation": True})
    m.Message.objects.create(body="New pending user registration: newbie")
    return user


def test_activate(api, pending_user):
    assert api.post(f"user/{pending_user.pk}/activate/", {}).status_code == 202
    pending_user.refresh_from_db()
    assert pending_user.is_active and not m.UserProfile.objects.get(user=pending_user).needs_activation
    assert not m.Message.objects.filter(body__contains="newbie").exists()
    assert api.post("user/999999/activate/", {}).status_code == 404
    assert api.get(f"user/{pending_user.pk}/activate/").status_code == 405


def test_reject_and_permissions(api, admin, pending_user):
    user, key = factories.user(groups=["ionusers"])
    assert ApiClient(user.username, key).post(f"user/{pending_user.pk}/activate/", {}).status_code == 403
    assert ApiClient().post(f"user/{pending_user.pk}/reject/", {}).status_code == 401
    assert api.post(f"user/{admin[0].pk}/reject/", {}).status_code == 400
    assert api.post(f"user/{pending_user.pk}/reject/", {}).status_code == 202
    assert not get_user_model().objects.filter(username="newbie").exists()


@pytest.fixture
def rig(db):
    location = m.Location.objects.create(name="Home")
    return m.Rig.objects.create(name="S5-1", location=location, state="idle", ftppassword="secret")


def test_rig_status_and_config(api, rig):
    assert api.get("rig/S5-1/status/").json()["state"] == "idle"
    reply = api.put("rig/S5-1/status/", {"state": "running", "alarms": {"temp": "high"}, "other": 1})
    assert reply.status_code == 202
    body = api.get("rig/S5-1/status/").json()
    assert body["state"] == "running" and body["alarms"] == {"temp": "high"}
    assert api.put("rig/S5-1/status/", {"version": "x"}).status_code == 400
    assert api.put("rig/S5-1/status/", {"state": 3}).status_code == 400
    assert api.put("rig/S5-1/status/", raw="[").status_code == 400
    assert api.get("rig/nosuch/status/").status_code == 404
    assert api.get("rig/S5-1/config/").json()["ftppassword"] == "secret"
    user, key = factories.user()
    reader = ApiClient(user.username, key)
    assert reader.get("rig/S5-1/status/").status_code == 200
    assert reader.get("rig/S5-1/config/").status_code == 403
    assert reader.put("rig/S5-1/status/", {"state": "x"}).status_code == 403


def test_sgejobs_counts_active_jobs(api, admin):
    report = factories.result(factories.experiment())
    m.AnalysisJob.objects.create(result=report, state="Queued")
    m.AnalysisJob.objects.create(result=report, state="Completed")
    run = factories.plugin_result(report, factories.plugin(), admin[0], state="Started")
    assert run.plugin_result_jobs.filter(state="Started").exists()
    body = api.get("torrentsuite/sgejobs/").json()
    assert body == {"total_jobs": 2, "analysis_jobs": 1, "plugin_jobs": 1, "pending_jobs": 1}
    assert ApiClient().get("torrentsuite/sgejobs/").status_code == 401
