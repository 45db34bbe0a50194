"""Default-selected ("autorun") plugins are added to every new plan: a plan POSTed to the API,
a plan copied from a template, and a template; with their default configuration (empty
userInput), newest version, only when active and enabled. The plan's own choice wins: an
entry it gives is kept, a null entry deselects one default plugin, and
include_plugin_default_selection=false leaves them all out. Existing, system and
transferred plans are not touched."""
from pathlib import Path

import pytest

from launch_support import install, make_plugin_zip
from rundb.plan_defaults import default_selected_plugins, plan_plugins
from rundb.models import Experiment, PlannedExperiment, Plugin
from api import factories  # noqa: E402
from api.conftest import ApiClient  # noqa: E402

pytestmark = pytest.mark.django_db

BASE = {"planName": "auto plan", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2",
        "sequencekitname": "Ion S5 Sequencing Kit", "sample": "s1"}


@pytest.fixture
def api(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.catalog()
    user, key = factories.user("ionadmin", superuser=True)
    return ApiClient(user.username, key)


@pytest.fixture
def plugins(tmp_path):
    """Auto (default-selected, export feature), Manual (not default), Off (default but
    disabled), Gone (default but uninstalled)."""
    rows = {}
    for name, attrs in (("Auto", "features = [Feature.EXPORT]"), ("Manual", ""), ("Off", ""), ("Gone", "")):
        rows[name] = install(make_plugin_zip(tmp_path / "zips", name, attrs=attrs))
    Plugin.objects.filter(name__in=["Auto", "Off", "Gone"]).update(defaultSelected=True)
    Plugin.objects.filter(name="Off").update(selected=False)
    Plugin.objects.filter(name="Gone").update(active=False)
    for row in rows.values():
        row.refresh_from_db()
    return rows


def _eas_plugins(plan_id):
    return Experiment.objects.get(plan_id=plan_id).eas_set.get().selectedPlugins


def test_api_plan_gets_active_enabled_default_plugins(api, plugins):
    response = api.post("plannedexperiment/", BASE)
    assert response.status_code == 201, response.content
    plan = response.json()
    auto = plugins["Auto"]
    expected = {"Auto": {"id": auto.pk, "name": "Auto", "version": auto.version, "userInput": {},
                         "features": ["export"]}}
    assert plan["selectedPlugins"] == expected
    assert _eas_plugins(plan["id"]) == expected  # what the pipeline reads


def test_plan_choice_wins(api, plugins):
    given = {"Auto": {"name": "Auto", "userInput": {"threshold": 3}}, "Manual": {"name": "Manual", "userInput": {}}}
    plan = api.post("plannedexperiment/", {**BASE, "selectedPlugins": given}).json()
    assert plan["selectedPlugins"] == given

    plan = api.post("plannedexperiment/", {**BASE, "planName": "no auto",
                                           "selectedPlugins": {"Auto": None, "Manual": {"name": "Manual"}}}).json()
    assert plan["selectedPlugins"] == {"Manual": {"name": "Manual"}}
    assert _eas_plugins(plan["id"]) == {"Manual": {"name": "Manual"}}

    for off in (False, "false", "0"):
        response = api.post("plannedexperiment/", {**BASE, "planName": "none", "include_plugin_default_selection": off})
        assert response.status_code == 201 and response.json()["selectedPlugins"] == {}, off


def test_existing_system_and_transferred_plans_are_left_alone(api, plugins):
    plan = api.post("plannedexperiment/", {**BASE, "selectedPlugins": {"Auto": None}}).json()
    Plugin.objects.filter(name="Manual").update(defaultSelected=True)
    response = api.patch(f"plannedexperiment/{plan['id']}/", {"notes": "later"})
    assert response.status_code == 202, response.content
    assert PlannedExperiment.objects.get(pk=plan["id"]).selectedPlugins == {}
    response = api.patch(f"plannedexperiment/{plan['id']}/", {"selectedPlugins": {"Manual": None, "X": {"name": "X"}}})
    assert PlannedExperiment.objects.get(pk=plan["id"]).selectedPlugins == {"X": {"name": "X"}}

    assert plan_plugins({}, origin="transfer|5.18") == {}
    assert plan_plugins({}, origin="ampliseq.com") == {}
    assert plan_plugins({}, is_system=True) == {}
    assert set(plan_plugins({})) == {"Auto", "Manual"}


def test_template_and_copy_of_a_template(api, plugins):
    response = api.post("plannedexperiment/", {"planName": "my template", "isReusable": True, "chipType": "520",
                                               "selectedPlugins": {"Manual": {"name": "Manual", "userInput": {"a": 1}}},
                                               "Bead Loading (%)": 45})
    assert response.status_code == 201, response.content
    template = response.json()
    assert set(template["selectedPlugins"]) == {"Manual", "Auto"}

    # A plugin made default-selected after the template was saved is in plans copied from it.
    Plugin.objects.filter(name="Off").update(selected=True)
    response = api.post("plannedexperiment/create/", {"templateName": "my template", "planName": "from template",
                                                      "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s2"})
    assert response.status_code == 202, response.content
    copy = response.json()
    assert copy["isReusable"] is False and copy["planName"] == "from_template" and copy["id"] != template["id"]
    assert copy["selectedPlugins"]["Manual"] == {"name": "Manual", "userInput": {"a": 1}}
    assert set(copy["selectedPlugins"]) == {"Manual", "Auto", "Off"}
    assert copy["qcValues"][0]["threshold"] == 45
    assert set(_eas_plugins(copy["id"])) == {"Manual", "Auto", "Off"}

    copy = api.post("plannedexperiment/create/", {"templateName": "my_template", "planName": "copy two",
                                                  "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s3",
                                                  "selectedPlugins": {"Off": None}}).json()
    assert set(copy["selectedPlugins"]) == {"Manual", "Auto"}


def test_copy_of_an_unknown_template_is_a_400(api, plugins):
    response = api.post("plannedexperiment/create/", {"templateName": "nope", "planName": "x"})
    assert response.status_code == 400
    assert "templateName nope not found" in str(response.json())
    response = api.post("plannedexperiment/create/", {"planName": "x"})
    assert response.status_code == 400 and "templateName is required" in str(response.json())
    assert api.get("plannedexperiment/create/").json()["objects"]  # GET lists example bodies, as the original


def test_newest_enabled_version_is_the_default(tmp_path, db):
    install(make_plugin_zip(tmp_path / "zips", "Ver", version="1.0.0"))
    newer = install(make_plugin_zip(tmp_path / "zips", "Ver", version="1.10.0"))
    Plugin.objects.filter(name="Ver").update(defaultSelected=True)
    assert Plugin.objects.filter(name="Ver").count() == 2
    assert default_selected_plugins()["Ver"].pk == newer.pk
    assert plan_plugins({})["Ver"]["version"] == "1.10.0"


def test_autorun_ticked_through_the_api_applies_to_the_next_plan(api, plugins):
    response = api.patch(f"plugin/{plugins['Manual'].pk}/", {"defaultSelected": True})
    assert response.status_code in (200, 202), response.content
    plan = api.post("plannedexperiment/", BASE).json()
    assert set(plan["selectedPlugins"]) == {"Auto", "Manual"}
