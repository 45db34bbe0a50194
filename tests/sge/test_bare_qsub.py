"""The bare-qsub baseline used by benchmarks."""
import pytest
from sgeutil import wait_until

from sge.backends import JobError
from sge.backends.bare_qsub import qdel, submit_with_qsub, wait_gone
from sge.backends.sgecli import qacct_record, qstat_job_detail, qstat_jobs

pytestmark = pytest.mark.sge


def test_bare_qsub_chain_with_exitcode_wrapper(sge_available, jobdir):
    a = submit_with_qsub(jobdir.script("a", "sleep 1; echo a >> log"), **jobdir.submit_args("a"))
    b = submit_with_qsub(jobdir.script("b", 'echo "b $X" >> log; exit 3'), **jobdir.submit_args("b"),
                         hold_jids=[a], env={"X": "two words"}, wrap_exitcode=True)
    assert qstat_job_detail(b)["jid_predecessor_list"] == a
    assert wait_gone([a, b], timeout=60)
    assert (jobdir.path / "log").read_text() == "a\nb two words\n"
    assert jobdir.exitcode_file("b").read_text() == "3\n"
    rec = wait_until(lambda: qacct_record(b, job_name=f"{jobdir.prefix}_b"), 30, 0.5, "accounting")
    assert rec["exit_status"] == "3"


def test_bare_qsub_hold_and_qdel(sge_available, jobdir):
    j = submit_with_qsub(jobdir.script("h", "true"), **jobdir.submit_args("h"), hold=True)
    assert "h" in {x.jobid: x for x in qstat_jobs()}[j].raw_state
    qdel([j])
    assert wait_gone([j], timeout=30)


def test_bare_qsub_rejects_commas_in_env(jobdir):
    with pytest.raises(JobError, match="comma"):
        submit_with_qsub(jobdir.script("c", "true"), **jobdir.submit_args("c"), env={"A": "1,2"})
