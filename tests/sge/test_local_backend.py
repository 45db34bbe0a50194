"""LocalBackend: plain subprocesses with holds, dependencies, termination and
an on-disk state that survives a restart of the job service."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from sgeutil import check_hold_chain, check_simple_job, wait_until

from sge.backends import DONE, FAILED, HELD, QUEUED, RUNNING, UNKNOWN
from sge.backends.local import LocalBackend
from sge.backends.local_runner import alive, identity

ROOT = Path(__file__).resolve().parents[2]


def test_submit_runs_script_and_reports_done(local_backend, jobdir):
    check_simple_job(local_backend, jobdir, timeout=30)


def test_failing_script_reports_failed_with_exit_code(local_backend, jobdir):
    script = jobdir.script("bad", "exit 7")
    jid = local_backend.submit(script, **jobdir.submit_args("bad"), hold=False)
    st = local_backend.wait(jid, timeout=30)
    assert (st.state, st.exit_code) == (FAILED, 7)
    assert jobdir.exitcode_file("bad").read_text() == "7\n"


def test_submit_on_hold_waits_for_release(local_backend, jobdir):
    script = jobdir.script("held", "echo ran")
    jid = local_backend.submit(script, **jobdir.submit_args("held"))  # hold=True is the default
    assert local_backend.status(jid).state == HELD
    listed = {j.jobid: j for j in local_backend.list_jobs()}
    assert listed[jid].name == f"{jobdir.prefix}_held" and listed[jid].state == HELD
    assert not (jobdir.path / "held.out").exists()
    local_backend.release(jid)
    assert local_backend.wait(jid, timeout=30).state == DONE
    assert jobdir.output("held") == "ran\n"


def test_hold_jid_chain_waits_for_parent(local_backend, jobdir):
    check_hold_chain(local_backend, jobdir, parent_seconds=1.5, running_timeout=10, timeout=30)


def test_dependency_on_failed_or_unknown_job_still_runs(local_backend, jobdir):
    # As in SGE: -hold_jid waits for the end of a job, whatever its exit code,
    # and ids the scheduler does not know do not hold.
    bad = local_backend.submit(jobdir.script("bad", "exit 3"), **jobdir.submit_args("bad"), hold=False)
    after = local_backend.submit(jobdir.script("after", "true"), **jobdir.submit_args("after"),
                                 hold_jids=[bad, "999999"], hold=False)
    assert local_backend.wait(after, timeout=30).state == DONE
    assert local_backend.status(bad).exit_code == 3


def test_terminate_running_job(local_backend, jobdir):
    script = jobdir.script("long", "echo $$ > long.pid; echo started; sleep 30; echo never")
    jid = local_backend.submit(script, **jobdir.submit_args("long"), hold=False)
    wait_until(lambda: local_backend.status(jid).state == RUNNING, 10, what="job running")
    wait_until(lambda: "started" in jobdir.output("long"), 10, what="script output")
    start = identity(int((jobdir.path / "long.pid").read_text()))
    local_backend.terminate(jid)
    st = local_backend.wait(jid, timeout=10)
    assert st.state == FAILED and st.cancelled and st.reason == "terminated"
    assert not alive(start), "the script's process must be gone"
    assert jid not in {j.jobid for j in local_backend.list_jobs()}
    assert "never" not in jobdir.output("long")


def test_terminate_held_job_never_runs(local_backend, jobdir):
    jid = local_backend.submit(jobdir.script("h", "echo ran"), **jobdir.submit_args("h"))
    local_backend.terminate(jid)
    st = local_backend.wait(jid, timeout=10)
    assert st.state == FAILED and st.cancelled
    assert not (jobdir.path / "h.out").exists()


def test_script_ignoring_sigterm_is_killed_after_grace(tmp_path, jobdir):
    backend = LocalBackend(state_dir=tmp_path / "state", term_grace=0.5)
    script = jobdir.script("stubborn", "trap '' TERM; echo $$ > s.pid; echo started; sleep 20")
    jid = backend.submit(script, **jobdir.submit_args("stubborn"), hold=False)
    wait_until(lambda: "started" in jobdir.output("stubborn"), 10, what="script output")
    start = identity(int((jobdir.path / "s.pid").read_text()))
    assert alive(start)
    backend.terminate(jid)
    wait_until(lambda: not alive(start), 5, what="SIGKILL of the job")
    st = backend.status(jid)
    assert st.state == FAILED and st.cancelled


def test_new_backend_process_finds_running_and_finished_jobs(local_backend, jobdir, tmp_path):
    """A restarted job service sees jobs submitted by its predecessor."""
    quick = local_backend.submit(jobdir.script("quick", "exit 4"), **jobdir.submit_args("quick"),
                                 hold=False)
    slow = local_backend.submit(jobdir.script("slow", "sleep 2"), **jobdir.submit_args("slow"),
                                hold=False)
    held = local_backend.submit(jobdir.script("held", "true"), **jobdir.submit_args("held"))
    local_backend.wait(quick, timeout=30)
    wait_until(lambda: local_backend.status(slow).state == RUNNING, 10, what="slow running")
    probe = (
        "import sys; from sge.backends.local import LocalBackend\n"
        "b = LocalBackend(state_dir=sys.argv[1])\n"
        "for j in sys.argv[2:]:\n"
        "    s = b.status(j); print(j, s.state, s.exit_code)\n"
        "print('listed', sorted(x.jobid for x in b.list_jobs()))\n"
        "b.release(sys.argv[4])\n")
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "state"), quick, slow, held],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert f"{quick} failed 4" in out
    assert f"{slow} running None" in out
    assert f"{held} held None" in out
    assert f"listed {sorted([slow, held])}" in out
    # The release done by the other process takes effect.
    assert local_backend.wait(held, timeout=30).state == DONE
    assert local_backend.wait(slow, timeout=30).state == DONE


def test_vanished_supervisor_is_unknown_unless_exitcode_file_decides(local_backend, jobdir):
    jid = local_backend.submit(jobdir.script("lost", "sleep 30"), **jobdir.submit_args("lost"),
                               hold=False)
    wait_until(lambda: local_backend.status(jid).state == RUNNING, 10, what="job running")
    runner = local_backend.store.read(jid, "runner")
    os.killpg(runner["pid"], signal.SIGKILL)  # machine-crash stand-in: no result is written
    wait_until(lambda: local_backend.status(jid).state != RUNNING, 10, what="runner gone")
    st = local_backend.status(jid)
    assert st.state == UNKNOWN and st.exit_code is None  # never success
    jobdir.exitcode_file("lost").write_text("0\n")  # e.g. the job wrote it before the crash
    st = local_backend.status(jid)
    assert (st.state, st.exit_code, st.source) == (DONE, 0, "exitcode-file")


def test_exitcode_file_override_from_env(local_backend, jobdir):
    target = jobdir.path / "custom.code"
    jid = local_backend.submit(jobdir.script("c", "exit 2"), **jobdir.submit_args("c"),
                               env={"ION_JOB_EXITCODE_FILE": str(target)}, hold=False)
    assert local_backend.wait(jid, timeout=30).exit_code == 2
    assert target.read_text() == "2\n"
    assert not jobdir.exitcode_file("c").exists()


def test_stale_exitcode_file_is_removed_at_submit(local_backend, jobdir):
    jobdir.exitcode_file("again").write_text("0\n")
    jid = local_backend.submit(jobdir.script("again", "sleep 30"), **jobdir.submit_args("again"))
    assert not jobdir.exitcode_file("again").exists()
    assert local_backend.status(jid).state == HELD


def test_slots_limit_concurrency(tmp_path, jobdir):
    backend = LocalBackend(state_dir=tmp_path / "state", slots=1)
    a = backend.submit(jobdir.script("a", "sleep 1"), **jobdir.submit_args("a"), hold=False)
    wait_until(lambda: backend.status(a).state == RUNNING, 10, what="a running")
    b = backend.submit(jobdir.script("b", "true"), **jobdir.submit_args("b"), hold=False)
    assert backend.status(b).state == QUEUED
    assert backend.wait(b, timeout=30).state == DONE
    assert backend.status(a).state == DONE
