"""Helpers for the catalog tests: fixture files written on the fly and table snapshots."""
import json

import pytest
from django.contrib.auth import get_user_model

from rundb import models as m
from rundb.catalog import datafiles

CATALOG_MODELS = [
    m.dnaBarcode, m.Chip, m.FlowOrder, m.KitInfo, m.KitPart, m.ThreePrimeAdapter, m.LibraryKey, m.RunType,
    m.RunType.applicationGroups.through, m.ApplicationGroup, m.Template, m.SampleGroupType_CV, m.Location,
    m.FileServer, m.ReportStorage, m.GlobalConfig,
]


def snapshot():
    """Every row of every catalog table (and the users), to compare before/after."""
    tables = {model._meta.label: sorted(map(repr, model.objects.values())) for model in CATALOG_MODELS}
    tables["users"] = sorted(map(repr, get_user_model().objects.values()))
    return tables


@pytest.fixture
def write_fixture(tmp_path):
    """write_fixture(objects or text, name=...) -> path of a fixture file in tmp_path."""

    def write(content, name="fixture.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return write


@pytest.fixture
def project_rows():
    """project_rows(model, kit=None, limit=None) -> objects of one model of the project's data
    folder, shaped as a Torrent Suite server's ``dumpdata --natural-foreign`` writes them (pk
    null), to build small dump files with."""

    def rows(model, *, kit=None, limit=None):
        found = [o for o in datafiles.fixture_objects() if o["model"] == model
                 and (kit is None or o["fields"].get("name") == kit)]
        return [{"model": o["model"], "pk": None, "fields": dict(o["fields"])} for o in found[:limit]]

    return rows


@pytest.fixture
def catalog_snapshot():
    """catalog_snapshot() -> every row of the catalog tables and users, for before/after checks."""
    return snapshot
