"""JSON only: format=json is accepted, any other format is a clear 400; output is sorted JSON."""
import pytest

from . import factories


def test_format_json_is_accepted(api, db):
    response = api.get("experiment/", {"format": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("fmt", ["xml", "jsonp", "yaml", "csv"])
def test_other_formats_are_400(api, db, fmt):
    response = api.get("experiment/", {"format": fmt})
    assert response.status_code == 400
    assert fmt in response.json()["error"] and "json" in response.json()["error"]


def test_root_rejects_other_formats_too(anon):
    assert anon.get("/rundb/api/v1/", {"format": "xml"}).status_code == 400


def test_keys_are_sorted_and_datetimes_have_an_offset(api, db):
    factories.experiment("sorted_run")
    text = api.get("experiment/").content.decode()
    obj = api.get("experiment/").json()["objects"][0]
    assert list(obj) == sorted(obj)
    assert text.index('"autoAnalyze"') < text.index('"baselineRun"')
    assert obj["date"].endswith("+00:00")


def test_accept_header_asking_for_xml_still_gets_json(api, db):
    response = api.get("experiment/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200 and response.json()["meta"]
