"""?isThumbnail=yes|no keeps thumbnail / full-chip reports, alike on results and projectresults
(both read it through rundb/api/params.py)."""
import pytest

from . import factories


@pytest.mark.parametrize("resource", ["results", "projectresults"])
def test_is_thumbnail_filter(api, db, resource):
    full = factories.result(metrics=False)
    thumb = factories.result(metrics=False, metaData={"thumb": 1})

    def ids(**params):
        response = api.get(f"{resource}/", params)
        assert response.status_code == 200
        return sorted(o["id"] for o in response.json()["objects"])

    assert ids(isThumbnail="yes") == [thumb.pk]
    assert ids(isThumbnail="no") == [full.pk]
    assert ids(isThumbnail="") == [thumb.pk]  # a bare flag is true, as in the original
    assert ids() == sorted([full.pk, thumb.pk])
