"""Suite-wide fixtures. Domain conftests live beside their tests (tests/<domain>/conftest.py)."""
import json
import os
import uuid
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("ION_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
if not SHARED.exists():  # CI clones the project with shared/ beside it; developers have ../shared.
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SPEC_PATH = SHARED / "spec" / "api_v1_resources.json"
FIXTURES_DIR = SHARED / "reference-data" / "ts-fixtures"


@pytest.fixture(scope="session")
def shared_dir():
    assert SHARED.exists(), f"shared/ not found at {SHARED}; set ION_SHARED_DIR"
    return SHARED


@pytest.fixture(scope="session")
def api_spec():
    """The 87 resources of the SDK reference, keyed by resource name."""
    with open(SPEC_PATH) as fh:
        data = json.load(fh)
    return {r["name"]: r for r in data["resources"]}


@pytest.fixture(scope="session")
def ts_fixtures_dir():
    return FIXTURES_DIR


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
