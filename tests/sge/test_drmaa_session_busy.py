"""DrmaaBackend.status while another thread's call into the DRMAA session is stuck (one that
meets a qmaster going down or starting up hangs for libdrmaa's 60 s timeout): it answers from
the job's exit-code file, or says the scheduler is unreachable, within STATUS_LOCK_WAIT s."""
import pytest
from sgeutil import session_held_elsewhere, wait_until

from sge.backends import FAILED, HELD, UNKNOWN
from sge.backends import drmaa_backend as db

pytestmark = pytest.mark.sge


def test_status_answers_from_exit_code_file_while_the_session_is_stuck(drmaa_backend, jobdir, monkeypatch):
    done = drmaa_backend.submit(jobdir.script("done", "exit 5"), **jobdir.submit_args("done"), hold=False)
    wait_until(lambda: jobdir.exitcode_file("done").exists(), 60, 0.2, "exit code written")
    held = drmaa_backend.submit(jobdir.script("held", "true"), **jobdir.submit_args("held"))
    monkeypatch.setattr(db, "STATUS_LOCK_WAIT", 0.3)
    monkeypatch.setattr(db, "_stuck", False)
    with session_held_elsewhere():
        st = drmaa_backend.status(done, exitcode_file=str(jobdir.exitcode_file("done")))
        assert (st.state, st.exit_code, st.source) == (FAILED, 5, "exitcode-file")
        st = drmaa_backend.status(held)
        assert (st.state, st.source) == (UNKNOWN, "scheduler") and "busy" in st.reason
    assert drmaa_backend.status(held).state == HELD
