"""Parsing of qacct/qstat output and mapping to job states (no Grid Engine needed)."""
import pytest

from sge.backends import DONE, FAILED, HELD, QUEUED, RUNNING
from sge.backends.sgecli import parse_qacct, state_from_qstat, status_from_qacct

QACCT = """==============================================================
qname        all.q
jobname      ts_1
jobnumber    7
qsub_time    Mon Nov 23 16:14:12 2026
failed       0
exit_status  0
==============================================================
qname        all.q
jobname      ts_2
jobnumber    7
qsub_time    Mon Nov 23 17:14:12 2026
failed       100  : assumedly after job
exit_status  137
"""


def test_parse_qacct_blocks():
    blocks = parse_qacct(QACCT)
    assert [b["jobname"] for b in blocks] == ["ts_1", "ts_2"]
    assert blocks[1]["failed"] == "100  : assumedly after job"


@pytest.mark.parametrize("failed,exit_status,state,code", [
    ("0", "0", DONE, 0),
    ("0", "3", FAILED, 3),
    ("0", "137", FAILED, 137),
    ("100  : assumedly after job", "137", FAILED, 137),
    ("1  : failed early in execd", "0", FAILED, 0),
])
def test_status_from_qacct(failed, exit_status, state, code):
    st = status_from_qacct({"failed": failed, "exit_status": exit_status})
    assert (st.state, st.exit_code, st.source) == (state, code, "qacct")


@pytest.mark.parametrize("raw,state", [
    ("qw", QUEUED), ("hqw", HELD), ("hRwq", HELD), ("r", RUNNING), ("t", RUNNING),
    ("Rr", RUNNING), ("s", RUNNING), ("Eqw", FAILED), ("dr", RUNNING), ("dqw", QUEUED),
])
def test_state_from_qstat(raw, state):
    assert state_from_qstat(raw) == state
