"""Suite-wide fixtures. Domain conftests live beside their tests (tests/<domain>/conftest.py)."""
import json
import uuid

import pytest

from rundb.catalog import datafiles


@pytest.fixture(scope="session")
def api_spec():
    """The 87 resources of the SDK reference, keyed by resource name (the project's copy:
    rundb/catalog/data/api_v1_contract.jsonl)."""
    return datafiles.api_contract()


@pytest.fixture(scope="session")
def plugin_files_doc():
    """What the SDK documents of startplugin.json / barcodes.json (rundb/catalog/data/plugin_files.json)."""
    return datafiles.plugin_files()


@pytest.fixture(scope="session")
def barcode_kit_file(tmp_path_factory):
    """The IonXpress kit of the project's data, written as a Torrent Suite fixture file
    (list of {"model", "fields"}), the shape the simulator's --barcode-kit-file reads."""
    path = tmp_path_factory.mktemp("kits") / "ion_xpress.json"
    rows = datafiles.barcode_kit("IonXpress")
    path.write_text(json.dumps([{"model": "rundb.dnabarcode", "pk": None, "fields": row} for row in rows]))
    return path


@pytest.fixture(autouse=True)
def _results_root(tmp_path, settings):
    """Every test gets its own results root, so report folders never leak between tests."""
    root = tmp_path / "results"
    root.mkdir()
    settings.ION_RESULTS_ROOT = root
    # Failed sign-ins are counted per test (rundb/api/throttle.py), never across tests.
    settings.ION_AUTH_THROTTLE_NAMESPACE = uuid.uuid4().hex
    settings.ION_PLUGIN_ROOT = root / "plugins"
    settings.ION_REPORT_ROOT = root / "analysis" / "output"
    return root


def pytest_collection_modifyitems(items):
    """Browser tests run last: their Playwright fixture turns Django's async-context check off
    for the rest of the session (tests/browser/conftest.py), which no other test should see."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))
