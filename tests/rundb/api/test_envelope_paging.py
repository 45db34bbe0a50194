"""List envelope: meta {limit, next, offset, previous, total_count}; limit/offset rules."""
import pytest

from rundb import models as m

from . import factories


@pytest.fixture
def experiments(db):
    return [factories.experiment(f"run_{i:02d}") for i in range(25)]


def test_default_page_is_20_newest_first(api, experiments):
    body = api.get("experiment/").json()
    assert set(body) == {"meta", "objects"}
    meta = body["meta"]
    assert set(meta) == {"limit", "next", "offset", "previous", "total_count"}
    assert (meta["limit"], meta["offset"], meta["total_count"], meta["previous"]) == (20, 0, 25, None)
    assert "offset=20" in meta["next"] and "limit=20" in meta["next"]
    ids = [o["id"] for o in body["objects"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 20


def test_limit_and_offset(api, experiments):
    meta = api.get("experiment/", {"limit": 5, "offset": 5}).json()["meta"]
    assert (meta["limit"], meta["offset"]) == (5, 5)
    assert "offset=0" in meta["previous"] and "limit=5" in meta["previous"]
    assert "offset=10" in meta["next"]
    last = api.get("experiment/", {"limit": 5, "offset": 20}).json()["meta"]
    assert last["next"] is None


def test_next_links_keep_other_parameters_and_walk_everything(api, experiments):
    seen, url = [], "/rundb/api/v1/experiment/?limit=7&expName__startswith=run"
    while url:
        body = api.get(url).json()
        seen += [o["id"] for o in body["objects"]]
        url = body["meta"]["next"]
        assert url is None or "expName__startswith=run" in url
    assert len(seen) == len(set(seen)) == 25


def test_limit_zero_returns_everything(api, experiments):
    body = api.get("experiment/", {"limit": 0}).json()
    assert len(body["objects"]) == 25
    assert body["meta"]["limit"] == 0 and body["meta"]["next"] is None and body["meta"]["previous"] is None


def test_limit_above_1000_is_clamped(api, experiments):
    assert api.get("experiment/", {"limit": 5000}).json()["meta"]["limit"] == 1000


@pytest.mark.parametrize("params, message", [
    ({"limit": "abc"}, "Invalid limit 'abc' provided. Please provide a positive integer."),
    ({"limit": "-1"}, "Invalid limit '-1' provided. Please provide a positive integer >= 0."),
    ({"offset": "x"}, "Invalid offset 'x' provided. Please provide an integer."),
    ({"offset": "-3"}, "Invalid offset '-3' provided. Please provide a positive integer >= 0."),
])
def test_bad_limit_or_offset_is_400(api, db, params, message):
    response = api.get("experiment/", params)
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_offset_past_the_end_is_an_empty_page(api, experiments):
    body = api.get("experiment/", {"offset": 100}).json()
    assert body["objects"] == [] and body["meta"]["total_count"] == 25
    assert m.Experiment.objects.count() == 25
