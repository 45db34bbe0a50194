"""getchefcartridgeusage/: before a run the Ion Chef asks whether its cartridges may be used
again. Usage counts and first-use times come from the runs recorded with either serial; the
kit's limits decide; the codes (E… stop, W… warn) are what the instrument acts on."""
import datetime as dt

import pytest
from django.utils import timezone

from rundb import models as m

from . import factories

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def kit(db):
    # The built-in catalog's flexible-workflow kit: 2 uses, warn after 8 days, stop after 30.
    return m.KitInfo.objects.create(kitType="IonChefPrepKit", name="Ion Chef S550 V1", uid="ICPREP0014",
                                    defaultCartridgeUsageCount=2, cartridgeExpirationDayLimit=8,
                                    cartridgeBetweenUsageAbsoluteMaxDayLimit=30)


def used(reagents, solutions, days_ago, status="run"):
    return factories.experiment(chefReagentsSerialNum=reagents, chefSolutionsSerialNum=solutions, status=status,
                                chefStartTime=NOW - dt.timedelta(days=days_ago, hours=1))


def ask(api, **overrides):
    params = {"chefReagentsSerialNum": "R1", "chefSolutionsSerialNum": "S1", "kitName": "ion chef s550 v1",
              "chefCurrentTime": NOW.isoformat()}
    params.update(overrides)
    response = api.get("getchefcartridgeusage/", {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 200, response.content
    return response.json()


def test_fresh_cartridges_may_run(api, kit):
    answer = ask(api)
    assert answer["allowRunToContinue"] is True
    assert answer["errorCodes"] == ["W403"]  # no Ion Mesh: only this server's runs counted
    assert (answer["numberReagentSerialUsage"], answer["numberSolutionSerialUsage"]) == (0, 0)
    assert answer["hoursSinceReagentFirstUse"] == "" and answer["defaultCartridgeUsageCount"] == 2


def test_one_use_then_the_limit(api, kit):
    used("R1", "S1", days_ago=1)
    used("R1", "S1", days_ago=0, status="pending")  # not a use: never started
    answer = ask(api)
    assert answer["allowRunToContinue"] is True
    assert (answer["numberReagentSerialUsage"], answer["numberSolutionSerialUsage"]) == (1, 1)
    assert answer["hoursSinceReagentFirstUse"] == answer["hoursSinceSolutionFirstUse"] == 25
    used("R1", "S1", days_ago=0)
    answer = ask(api)
    assert answer["allowRunToContinue"] is False
    assert answer["errorCodes"][0] == "E303" and "2 times" in answer["detailMessages"]["E303"]


def test_mismatched_uses_and_one_cartridge_at_its_limit(api, kit):
    used("R1", "S9", days_ago=1)
    used("R1", "S1", days_ago=1)
    answer = ask(api)
    assert (answer["numberReagentSerialUsage"], answer["numberSolutionSerialUsage"]) == (2, 1)
    assert answer["allowRunToContinue"] is False
    assert answer["errorCodes"][:2] == ["E301", "E300"]


def test_old_cartridges_warn_then_stop(api, kit):
    used("R1", "S1", days_ago=9)
    warned = ask(api)
    assert warned["allowRunToContinue"] is True
    assert warned["errorCodes"] == ["W100", "W200", "W403"]
    m.Experiment.objects.update(chefStartTime=NOW - dt.timedelta(days=31, hours=1))
    stopped = ask(api)
    assert stopped["allowRunToContinue"] is False
    assert stopped["errorCodes"][:2] == ["E308", "E309"] and "30 days" in stopped["detailMessages"]["E309"]


@pytest.mark.parametrize("overrides, code", [
    ({"kitName": None}, "E305"),
    ({"chefReagentsSerialNum": ""}, "E305"),
    ({"chefCurrentTime": "tomorrow-ish"}, "E310"),
    ({"chefCurrentTime": "9999999999-01-01"}, "E310"),
    ({"chefCurrentTime": (NOW - dt.timedelta(hours=2)).isoformat()}, "E306"),
    ({"chefSolutionsSerialNum": "S" * 21}, "E311"),
    ({"kitName": "No such kit"}, "E307"),
])
def test_bad_inputs_stop_with_their_code(api, kit, overrides, code):
    answer = ask(api, **overrides)
    assert answer["allowRunToContinue"] is False
    assert answer["errorCodes"] == [code] and answer["detailMessages"][code]


def test_a_kit_without_limits_is_not_a_flexible_kit(api, kit):
    m.KitInfo.objects.create(kitType="IonChefPrepKit", name="Plain chef kit", uid="ICPLAIN")
    assert ask(api, kitName="Plain chef kit")["errorCodes"] == ["E304"]


def test_naive_chef_time_is_utc_and_peers_are_mentioned(api, kit):
    m.IonMeshNode.objects.create(hostname="peer.example", system_id="p1")
    naive = NOW.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat()
    answer = ask(api, chefCurrentTime=naive)
    assert answer["allowRunToContinue"] is True and answer["errorCodes"] == ["W406"]


def test_needs_credentials(anon, kit):
    assert anon.get("/rundb/api/v1/getchefcartridgeusage/").status_code == 401


def test_builtin_catalog_carries_the_kit_limits(db):
    from rundb.catalog import load_catalog

    load_catalog()
    kit = m.KitInfo.objects.get(name="Ion Chef S550 V1")
    assert (kit.defaultCartridgeUsageCount, kit.cartridgeExpirationDayLimit,
            kit.cartridgeBetweenUsageAbsoluteMaxDayLimit) == (2, 8, 30)
