"""DrmaaBackend against the real single-node Grid Engine (sge/setup_gridengine.sh).

Skipped only outside CI when Grid Engine is absent (see sgeutil.require_sge)."""
import pytest
from sgeutil import check_hold_chain, check_simple_job, wait_until

from sge.backends import DONE, FAILED, HELD, UNKNOWN, JobError
from sge.backends import drmaa_backend as db
from sge.backends import sgecli

pytestmark = pytest.mark.sge


def test_submit_runs_script_and_reports_done(drmaa_backend, jobdir):
    jid, st = check_simple_job(drmaa_backend, jobdir, timeout=60)
    assert drmaa_backend.status(jid) == st  # cached after wait() reaped the job


def test_failing_script_reports_failed_with_exit_code(drmaa_backend, jobdir):
    jid = drmaa_backend.submit(jobdir.script("bad", "exit 7"), **jobdir.submit_args("bad"), hold=False)
    st = drmaa_backend.wait(jid, timeout=60)
    assert (st.state, st.exit_code) == (FAILED, 7)


def test_submit_on_hold_then_release(drmaa_backend, jobdir):
    jid = drmaa_backend.submit(jobdir.script("held", "echo ran"), **jobdir.submit_args("held"))
    st = drmaa_backend.status(jid)
    assert st.state == HELD and st.reason == "user hold"
    listed = {j.jobid: j for j in drmaa_backend.list_jobs()}
    assert listed[jid].name == f"{jobdir.prefix}_held"
    assert listed[jid].state == HELD and "h" in listed[jid].raw_state
    drmaa_backend.release(jid)
    assert drmaa_backend.wait(jid, timeout=60).state == DONE
    assert jobdir.output("held") == "ran\n"


def test_hold_jid_chain_visible_while_parent_runs(drmaa_backend, jobdir):
    def in_qstat(parent, child):
        assert sgecli.qstat_job_detail(child)["jid_predecessor_list"] == parent

    check_hold_chain(drmaa_backend, jobdir, parent_seconds=2, running_timeout=30, timeout=60, while_held=in_qstat)


def test_terminate_running_job(drmaa_backend, jobdir):
    jid = drmaa_backend.submit(jobdir.script("long", "echo started; sleep 30; echo never"),
                               **jobdir.submit_args("long"), hold=False)
    wait_until(lambda: "started" in jobdir.output("long"), 30, 0.2, "job output")
    drmaa_backend.terminate(jid)
    wait_until(lambda: jid not in {j.jobid for j in drmaa_backend.list_jobs()}, 30, 0.2,
               "job gone from qstat")
    st = drmaa_backend.wait(jid, timeout=30)
    assert st.state == FAILED and st.cancelled
    assert "never" not in jobdir.output("long")
    drmaa_backend.terminate(jid)  # terminating a finished job is not an error


def test_terminate_held_job(drmaa_backend, jobdir):
    jid = drmaa_backend.submit(jobdir.script("h", "echo ran"), **jobdir.submit_args("h"))
    drmaa_backend.terminate(jid)
    st = drmaa_backend.wait(jid, timeout=30)
    assert st.state == FAILED and st.cancelled
    assert jid not in {j.jobid for j in drmaa_backend.list_jobs()}
    assert not (jobdir.path / "h.out").exists()


def test_job_that_finished_with_no_session_open_is_resolved(sge_available, tmp_path, jobdir):
    """The job service was down while the job ended: jobStatus cannot know it."""
    state = tmp_path / "state"
    first = db.DrmaaBackend(state_dir=state)
    ok = first.submit(jobdir.script("ok", "true"), **jobdir.submit_args("ok"), hold=False)
    bad = first.submit(jobdir.script("bad", "exit 5"), **jobdir.submit_args("bad"), hold=False)
    first.close()
    assert db._session is None  # no DRMAA session open in this process
    wait_until(lambda: jobdir.exitcode_file("ok").exists() and jobdir.exitcode_file("bad").exists(),
               60, 0.2, "exit-code files")
    wait_until(lambda: not {ok, bad} & {j.jobid for j in sgecli.qstat_jobs()}, 30, 0.2,
               "jobs gone from qstat")
    second = db.DrmaaBackend(state_dir=state)
    try:
        st = second.status(ok)
        assert (st.state, st.exit_code, st.source) == (DONE, 0, "exitcode-file")
        st = second.status(bad)
        assert (st.state, st.exit_code, st.source) == (FAILED, 5, "exitcode-file")
    finally:
        second.close()


def test_qacct_decides_when_no_exitcode_file(sge_available, jobdir, tmp_path):
    first = db.DrmaaBackend(state_dir=tmp_path / "state")
    jid = first.submit(jobdir.script("acct", "exit 6"), **jobdir.submit_args("acct"), hold=False)
    first.close()
    wait_until(lambda: jobdir.exitcode_file("acct").exists(), 60, 0.2, "exit-code file")
    jobdir.exitcode_file("acct").unlink()
    # A new session and an empty job store: only the accounting file knows.
    other = db.DrmaaBackend(state_dir=tmp_path / "other-state")
    try:
        wait_until(lambda: jid not in {j.jobid for j in other.list_jobs()}, 30, 0.2, "job gone")
        st = wait_until(lambda: (s := other.status(jid)).state != UNKNOWN and s, 30, 0.5,
                        "accounting record")
        assert (st.state, st.exit_code, st.source) == (FAILED, 6, "qacct")
    finally:
        other.close()


def test_unknown_job_is_never_success(drmaa_backend):
    st = drmaa_backend.status("987654321")
    assert st.state == UNKNOWN and st.exit_code is None


def test_release_unknown_job_is_an_error(drmaa_backend):
    with pytest.raises(JobError, match="not known"):
        drmaa_backend.release("987654321")


def test_native_spec_carries_queue_holds_and_hold_flag(drmaa_backend):
    spec = drmaa_backend.native_specification(["12", 13], "-l h_vmem=1G", hold=True)
    assert spec == f"-q {drmaa_backend.queue} -hold_jid 12,13 -h -l h_vmem=1G"
    assert drmaa_backend.native_specification((), "-q other.q", hold=False) == "-q other.q"
    with pytest.raises(JobError):
        drmaa_backend.native_specification((), "-l a=1\n-l b=2")
