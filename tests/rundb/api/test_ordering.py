"""``order_by=[-]field``, repeatable, through relations; bad names are 400."""
import pytest

from . import factories


@pytest.fixture
def runs(db):
    a = factories.experiment("b_run", flows=300)
    b = factories.experiment("a_run", flows=300)
    c = factories.experiment("c_run", flows=100)
    return a, b, c


def names(api, resource="experiment", **params):
    response = api.get(f"{resource}/", params)
    assert response.status_code == 200, response.content
    return [o["expName"] if "expName" in o else o["resultsName"] for o in response.json()["objects"]]


def test_ascending_and_descending(api, runs):
    assert names(api, order_by="expName") == ["a_run", "b_run", "c_run"]
    assert names(api, order_by="-expName") == ["c_run", "b_run", "a_run"]


def test_repeated_order_by(api, runs):
    assert names(api, order_by=["-flows", "expName"]) == ["a_run", "b_run", "c_run"]
    assert names(api, order_by=["flows", "-expName"]) == ["c_run", "b_run", "a_run"]


def test_order_through_a_relation(api, runs):
    for exp in runs:
        factories.result(exp, f"R_{exp.expName}", metrics=False)
    assert names(api, "results", order_by="experiment__expName") == ["R_a_run", "R_b_run", "R_c_run"]


@pytest.mark.parametrize("value, message", [
    ("nosuchfield", "No matching 'nosuchfield' field for ordering on."),
    ("-isProton", "The 'isProton' field has no 'attribute' for ordering with."),
    ("results", "The 'results' field does not allow ordering."),
    ("plan__nosuch", "No matching 'nosuch' field for ordering on."),
    ("expName__foo", "The 'expName' field does not support relations."),
])
def test_bad_order_by_is_400(api, runs, value, message):
    response = api.get("experiment/", {"order_by": value})
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_order_by_a_hidden_field_is_refused(api, runs, admin):
    response = api.get("pluginresult/", {"order_by": "owner__password"})
    assert response.status_code == 400
