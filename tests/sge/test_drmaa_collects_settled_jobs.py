"""A job whose end the job service settles without the DRMAA session (from its exit-code file,
while the session is held by a stuck call or the master is away) is still collected from the
session once it is free again, so libdrmaa does not keep its finish record for ever."""
import pytest
from sgeutil import session_held_elsewhere, wait_until

from sge.backends import FAILED
from sge.backends import drmaa_backend as db

pytestmark = pytest.mark.sge


def test_job_settled_while_the_session_is_busy_is_collected_later(drmaa_backend, jobdir, monkeypatch):
    monkeypatch.setattr(db, "STATUS_LOCK_WAIT", 0.2)
    monkeypatch.setattr(db, "_uncollected", {})
    jid = drmaa_backend.submit(jobdir.script("bad", "exit 3"), **jobdir.submit_args("bad"), hold=False)
    wait_until(lambda: jobdir.exitcode_file("bad").exists(), 60, 0.2, "the job's exit-code file")

    with session_held_elsewhere():
        st = drmaa_backend.status(jid)
        assert (st.state, st.exit_code, st.source) == (FAILED, 3, "exitcode-file")
        assert jid in db._uncollected

    # The next status query with the session free collects it; the session then no longer
    # knows the job, and the settled state stays.
    ok = drmaa_backend.submit(jobdir.script("ok", "true"), **jobdir.submit_args("ok"), hold=False)
    drmaa_backend.wait(ok, timeout=60)
    wait_until(lambda: jid not in db._uncollected, 30, 0.2, "the settled job collected")
    d = drmaa_backend.drmaa
    with pytest.raises(d.errors.InvalidJobException):
        db._session.wait(jid, d.Session.TIMEOUT_NO_WAIT)
    assert drmaa_backend.status(jid) == st
