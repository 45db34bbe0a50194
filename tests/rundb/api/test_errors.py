"""Error replies: 404 for unknown ids, 405 with Allow, malformed JSON 400, 500 without a traceback."""
import pytest

from rundb.api.base import resource_instance
from rundb.api.resources.results import ResultsResource

from . import factories


def test_unknown_id_is_404_json(api, db):
    response = api.get("results/999999/")
    assert response.status_code == 404
    assert "999999" in response.json()["error"]


def test_non_numeric_id_is_404(api, db):
    assert api.get("results/abc/").status_code == 404


def test_unknown_resource_is_404(api, db):
    assert api.get("nosuchresource/").status_code == 404


def test_disallowed_method_is_405_with_allow(api, db):
    response = api.post("user/", {"username": "x"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert "not allowed" in response.json()["error"]


def test_disallowed_method_on_detail(api, db):
    exp = factories.experiment()
    response = api.post(f"experiment/{exp.pk}/", {})
    assert response.status_code == 405
    assert set(response["Allow"].split(",")) == {"GET", "PUT", "PATCH", "DELETE"}


def test_delete_on_a_read_only_list_is_405(api, db):
    response = api.delete("torrentsuite/")  # GET only
    assert response.status_code == 405 and "DELETE" not in response["Allow"]


def test_options_lists_methods_without_auth(anon, db):
    response = anon.client.options("/rundb/api/v1/experiment/")
    assert response.status_code == 200 and "GET" in response["Allow"]


def test_head_is_answered_like_get(api, db):
    assert api.client.head("/rundb/api/v1/experiment/", **api.headers).status_code == 200


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", ""])
def test_malformed_or_non_object_body_is_400(api, db, raw):
    response = api.post("project/", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]


def test_internal_error_is_500_without_traceback(api, db, monkeypatch):
    factories.result(metrics=False)

    def boom(self, bundle):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(ResultsResource, "dehydrate_filesystempath", boom)
    monkeypatch.setattr(resource_instance(ResultsResource), "_steps", None)  # recompile with the patch
    response = api.get("results/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Traceback" not in text and "secret" not in text
    assert response.json() == {"error_message": "Sorry, this request could not be processed. Please try again later."}


def test_missing_trailing_slash_redirects(api, db):
    # the API reference's curl example omits the slash and relies on --location
    response = api.get("/rundb/api/v1/results")
    assert response.status_code == 301 and response["Location"].endswith("/rundb/api/v1/results/")
