"""A LIMS prepares a plan (POST prepopulatedplanningsession/) and opens the wizard with
``?prepopulated-planning-session=<id>``: the person sees the prepared values in the steps, saves
the plan, and lands on the session's redirect URL; the session is then gone. A session that is
not there says so on the page, and a redirect URL off this server is not followed."""
import datetime as dt
import json

import pytest
import requests
from playwright.sync_api import expect

from web_support import plan_catalog

PREPARED = {
    # The original's shape: wizard steps with their own field names, and where to go after.
    "step_helper": {
        "Save_plan": {"planName": "Orange Seq Run 1", "note": "sent by the LIMS"},
        "Reference": {"reference": "ecoli"},
    },
    "redirect_url": "/data/",
    # Plan API fields beside it.
    "sample": "orange sample",
    "flows": 300,
}


def create_session(live, user, body):
    from rundb.api.keys import issue_key

    response = requests.post(f"{live}/rundb/api/v1/prepopulatedplanningsession/", data=json.dumps(body),
                             headers={"Authorization": f"ApiKey {user.username}:{issue_key(user)}",
                                      "Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.live
def test_prepared_plan_fills_the_wizard_and_is_used_once(page, live, admin, signed_in):
    from rundb.models import PlannedExperiment, PlanningSession

    template = plan_catalog()
    created = create_session(live, admin, PREPARED)
    page.goto(f"{live}/plan/page_plan_new_plan/{template.pk}/?prepopulated-planning-session={created['cache_key']}")
    expect(page.get_by_label("Run Plan Name")).to_have_value("Orange Seq Run 1")
    expect(page.get_by_label("Sample Name")).to_have_value("orange sample")
    expect(page.get_by_label("Notes")).to_have_value("sent by the LIMS")
    steps = page.get_by_role("navigation", name="Wizard steps")
    steps.get_by_role("button", name="Kits").click()
    expect(page.get_by_label("Flows")).to_have_value("300")
    expect(page.get_by_label("Chip Type")).to_have_value("520")  # from the template
    steps.get_by_role("button", name="Reference").click()
    expect(page.get_by_label("Reference Library")).to_have_value("ecoli")
    steps.get_by_role("button", name="Plan").click()
    page.get_by_role("button", name="Plan Run").click()

    page.wait_for_url(f"{live}/data/")
    plan = PlannedExperiment.objects.get(planDisplayedName="Orange Seq Run 1")
    assert (plan.flows, plan.chipType, plan.notes) == (300, "520", "sent by the LIMS")
    assert plan.experiment.eas_set.get().reference == "ecoli"
    assert not PlanningSession.objects.filter(pk=created["id"]).exists()

    # Opened again: the session is used up, and the page says so instead of filling anything.
    page.goto(f"{live}/plan/page_plan_new_plan/{template.pk}/?prepopulated-planning-session={created['id']}")
    expect(page.locator("#error-general")).to_have_text(
        "The prepared plan was not found or has expired; nothing was filled in.")
    expect(page.get_by_label("Run Plan Name")).to_have_value("")


@pytest.mark.django_db
@pytest.mark.parametrize("target, kept", [("/data/?x=1", True), ("https://elsewhere.example/", False),
                                          ("//elsewhere.example/", False), ("javascript:alert(1)", False),
                                          (["/data/"], False)])
def test_only_redirects_on_this_server_are_kept(client, django_user_model, target, kept):
    from browser.views.plan import SESSION_PARAM

    from rundb.models import PlanningSession

    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    plan_catalog()
    response = client.post("/rundb/api/v1/prepopulatedplanningsession/", {"planName": "p", "redirect_url": target},
                           content_type="application/json")
    session = PlanningSession.objects.get(pk=response.json()["id"])
    page = client.get(f"/plan/page_plan_new_plan_from_code/0/?{SESSION_PARAM}={session.pk}")
    assert page.status_code == 200
    prepared = page.context["prepopulated"]
    assert prepared["values"] == {"planName": "p"}
    assert prepared["redirect"] == (target if kept else "")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "x" * 5000, "\x00"])
def test_a_missing_or_malformed_session_is_a_message_not_an_error(client, django_user_model, raw):
    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    page = client.get("/plan/page_plan_new_plan_from_code/0/", {"prepopulated-planning-session": raw})
    assert page.status_code == 200
    assert page.context["prepopulated"] == {
        "error": "The prepared plan was not found or has expired; nothing was filled in."}


@pytest.mark.django_db
def test_someone_elses_session_is_not_shown(client, django_user_model):
    from django.utils import timezone

    from rundb.models import PlanningSession

    owner = django_user_model.objects.create_user("owner", "o@example.com", "pw-12345")
    other = django_user_model.objects.create_user("other", "x@example.com", "pw-12345")
    session = PlanningSession.objects.create(owner=owner, data={"planName": "secret plan"},
                                             expires=timezone.now() + dt.timedelta(hours=1))
    client.force_login(other)
    page = client.get(f"/plan/page_plan_new_plan_from_code/0/?prepopulated-planning-session={session.pk}")
    assert "secret plan" not in page.content.decode()
    assert "error" in page.context["prepopulated"]
