"""Bad explogs. At ingest: a run whose explog misses required keys or is garbled gets no
Experiment and no report, and the crawler carries on with the healthy run beside it. At
analysis: explogs garbled after ingest end the report in `Error: unusable explog: ...`."""
import pytest

from analysis_support import HEALTHY, analyse, assert_error, assert_healthy_completes, copy_beside_healthy, crawl_reports
from rundb.models import Experiment

pytestmark = pytest.mark.django_db

GARBLE = b"\x00\x01\x02 ~~~ not an explog ~~~ \xff\xfe\n" * 20


def _drop_key(path, key):
    lines = [line for line in path.read_text().splitlines() if not line.startswith(f"{key}:")]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("damage", ["missing-keys", "garbled"])
def test_bad_explog_at_ingest(healthy, damage):
    bad = copy_beside_healthy(healthy, f"R_2024_01_02_03_04_05_user_{damage}")
    for name in ("explog.txt", "explog_final.txt"):
        if damage == "missing-keys":
            _drop_key(bad / name, "Experiment Name")
        else:
            (bad / name).write_bytes(GARBLE)

    crawl, reports = crawl_reports()
    [error] = crawl.errors
    assert error.folder == str(bad)
    assert ("Experiment Name" in error.reason) if damage == "missing-keys" else ("garbled" in error.reason)
    assert not Experiment.objects.filter(expDir=str(bad)).exists()
    assert list(reports) == [HEALTHY]
    assert_healthy_completes(reports[HEALTHY])


def test_explog_garbled_after_ingest(healthy):
    bad = copy_beside_healthy(healthy, "R_2024_01_02_03_04_05_user_garbled_later")
    _, reports = crawl_reports()
    (bad / "explog_final.txt").write_bytes(GARBLE)
    _drop_key(bad / "explog.txt", "Flows")
    _drop_key(bad / "explog.txt", "Cycles")
    assert not analyse(reports[bad.name]).ok
    reason = assert_error(reports[bad.name], "unusable explog")
    assert "garbled" in reason and "Flows" in reason
    assert_healthy_completes(reports[HEALTHY])
