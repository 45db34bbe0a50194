"""Job names, the name prefix, and the service's timing settings."""
import pytest

from rundb.models import JobState
from sge.jobkinds import Naming, default_prefix, job_name_prefix, registered_kinds
from sge.service_config import ServiceConfig


def test_names_round_trip_and_ignore_others():
    naming = Naming("ionabc123")
    kinds = {k.tag: k for k in registered_kinds()}
    prj, ana = kinds["prj"], kinds["ana"]
    assert naming.name(prj, 12) == "ionabc123_prj_12" and naming.name(ana, 7) == "ionabc123_ana_7"
    assert naming.parse("ionabc123_prj_12") == (prj, 12)
    assert naming.parse("ionabc123_ana_7") == (ana, 7)
    for other in ("ionabc124_prj_12", "ionabc123_xxx_1", "ionabc123_prj_", "ionabc123_prj_1x", "sh", ""):
        assert naming.parse(other) is None


def test_default_prefix_depends_on_database(db):
    prefix = default_prefix()
    assert prefix.startswith("ion") and len(prefix) == 9 and prefix == default_prefix()


def test_prefix_from_settings_is_validated(settings):
    settings.ION_JOB_NAME_PREFIX = "ci42"
    assert job_name_prefix() == "ci42"
    for bad in ("4ci", "ci-42", "a b", "x" * 40):
        settings.ION_JOB_NAME_PREFIX = bad
        with pytest.raises(ValueError, match="ION_JOB_NAME_PREFIX"):
            job_name_prefix()


def test_config_from_settings(settings):
    # As iondb/settings.py leaves them: the environment's text, None when unset.
    settings.ION_JOB_DB_POLL, settings.ION_JOB_TIMEOUT, settings.ION_JOB_SUBMIT_RETRIES = "0.5", "60", "2"
    settings.ION_JOB_STATUS_POLL = None
    cfg = ServiceConfig.from_settings()
    assert (cfg.db_poll, cfg.timeout, cfg.submit_retries, cfg.status_poll) == (0.5, 60.0, 2, 1.0)
    settings.ION_JOB_STATUS_POLL = 2
    assert ServiceConfig.from_settings().status_poll == 2.0


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_bad_config_values_are_refused(settings, value):
    settings.ION_JOB_LOST_GRACE = value
    with pytest.raises(ValueError, match="ION_JOB_LOST_GRACE"):
        ServiceConfig.from_settings()


def test_job_states_the_service_uses():
    assert set(JobState.FINAL) == {"Completed", "Error", "Cancelled", "Timed Out"}
