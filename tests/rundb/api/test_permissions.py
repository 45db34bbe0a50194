"""Reads for any authenticated user; writes need the model permission (403 otherwise)."""
import pytest

from rundb import models as m

from . import factories


@pytest.fixture
def plain(db, client_for):
    return client_for(*factories.user("plain"))


@pytest.fixture
def ionuser(db, client_for):
    return client_for(*factories.user("ionuser", groups=["ionusers"]))


def test_any_user_may_read(plain, db):
    factories.experiment()
    assert plain.get("experiment/").status_code == 200


def test_write_without_permission_is_403_and_changes_nothing(plain, db):
    config = m.GlobalConfig.get()
    response = plain.patch(f"globalconfig/{config.pk}/", {"site_name": "X"})
    assert response.status_code == 403
    assert "change_globalconfig" in response.json()["error"]
    config.refresh_from_db()
    assert config.site_name != "X"
    assert plain.post("project/", {"name": "p"}).status_code == 403
    assert not m.Project.objects.exists()


def test_superuser_may_write(api, db):
    config = m.GlobalConfig.get()
    assert api.patch(f"globalconfig/{config.pk}/", {"site_name": "X"}).status_code == 202
    assert api.get(f"globalconfig/{config.pk}/").json()["site_name"] == "X"


def test_ionusers_group_has_the_original_grants(ionuser, db):
    config = m.GlobalConfig.get()
    assert ionuser.patch(f"globalconfig/{config.pk}/", {"site_name": "Y"}).status_code == 202
    assert ionuser.post("project/", {"name": "p1"}).status_code == 201
    eas = m.ExperimentAnalysisSettings.objects.create()
    # Not granted to ionusers in the original either.
    assert ionuser.patch(f"experimentanalysissettings/{eas.pk}/", {"reference": "hg19"}).status_code == 403


def test_ionusers_may_not_delete_pluginresults(ionuser, admin, db):
    res = factories.result(metrics=False)
    pr = factories.plugin_result(res, factories.plugin(), admin[0])
    assert ionuser.patch(f"pluginresult/{pr.pk}/", {"store": {"a": 1}}).status_code == 202
    assert ionuser.delete(f"pluginresult/{pr.pk}/").status_code == 403
    assert m.PluginResult.objects.filter(pk=pr.pk).exists()


def test_ionusers_group_permissions(db):
    from django.contrib.auth.models import Group

    from rundb.api.permissions import ensure_ionusers_group

    ensure_ionusers_group()  # the migration made it; live-server tests may have flushed it

    codenames = set(Group.objects.get(name="ionusers").permissions.values_list("codename", flat=True))
    assert {"add_experiment", "change_results", "delete_plannedexperiment", "add_pluginresult",
            "change_pluginresult"} <= codenames
    assert "delete_pluginresult" not in codenames
    assert "change_experimentanalysissettings" not in codenames
