"""compositeexperiment/show/: the data page's table mode (``full`` or compact), per session."""
from rundb.api.resources.results import composite_table_full


def test_show_records_the_mode_in_the_session(api, anon, db):
    assert api.get("compositeexperiment/show/").json() == {"full": False}
    for raw, full in [("full", True), ('"full"', True), ("compact", False), ("", False), ('"FULL"', False),
                      ("full", True), ("{}", False)]:
        response = api.post("compositeexperiment/show/", raw=raw, content_type="text/plain")
        assert response.status_code == 204, (raw, response.content)
        assert api.get("compositeexperiment/show/").json() == {"full": full}, raw
    # Not a detail lookup for pk "show"; other methods are refused; anonymous callers get nothing.
    assert api.put("compositeexperiment/show/", {}).status_code == 405
    assert api.delete("compositeexperiment/show/").status_code == 405
    assert anon.post("compositeexperiment/show/", raw="full").status_code == 401
    assert anon.get("compositeexperiment/show/").status_code == 401


def test_mode_is_per_session(api, admin, client_for, db):
    api.post("compositeexperiment/show/", raw="full", content_type="text/plain")
    assert client_for(*admin).get("compositeexperiment/show/").json() == {"full": False}


def test_helper_without_a_session():
    class Bare:
        pass

    assert composite_table_full(Bare()) is False
