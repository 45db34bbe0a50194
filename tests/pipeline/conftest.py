"""Fixtures shared by the pipeline tests."""
import pytest

from analysis_support import HEALTHY, make_template


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    """The healthy run simulated once per module (copied into the results root by copy_run)."""
    return make_template(tmp_path_factory, HEALTHY)
