"""Bad input to the backends gives a clear JobError (no Grid Engine needed)."""
import pytest

from sge.backends import UNKNOWN, InvalidJobName, JobError, get_backend
from sge.backends.base import read_exitcode, validate_job_name


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a/b", "a:b", "x" * 201, "job\n", None])
def test_invalid_job_names_are_rejected(local_backend, jobdir, name):
    args = jobdir.submit_args("v")
    args["job_name"] = name
    with pytest.raises(InvalidJobName, match="invalid job name"):
        local_backend.submit(jobdir.script("v", "true"), **args)


def test_valid_job_names():
    for name in ("ts_12", "Plugin.Name-1", "_x"):
        assert validate_job_name(name) == name


def test_missing_script_or_folders(local_backend, jobdir):
    with pytest.raises(JobError, match="job script not found"):
        local_backend.submit(jobdir.path / "nope.sh", **jobdir.submit_args("v"))
    script = jobdir.script("v", "true")
    args = jobdir.submit_args("v")
    with pytest.raises(JobError, match="work_dir is not a directory"):
        local_backend.submit(script, **dict(args, work_dir=str(jobdir.path / "missing")))
    with pytest.raises(JobError, match="stdout_path"):
        local_backend.submit(script, **dict(args, stdout_path=str(jobdir.path / "no" / "out")))


@pytest.mark.parametrize("jobid", ["", "abc", "-1", "0", "None", "1;rm"])
def test_invalid_job_ids(local_backend, jobid):
    with pytest.raises(JobError, match="invalid job id"):
        local_backend.status(jobid)
    with pytest.raises(JobError, match="invalid job id"):
        local_backend.release(jobid)
    with pytest.raises(JobError, match="invalid job id"):
        local_backend.terminate(jobid)


def test_invalid_hold_jid(local_backend, jobdir):
    with pytest.raises(JobError, match="invalid job id"):
        local_backend.submit(jobdir.script("v", "true"), **jobdir.submit_args("v"), hold_jids=["x"])


def test_unknown_local_job(local_backend):
    assert local_backend.status("424242").state == UNKNOWN
    with pytest.raises(JobError, match="not known"):
        local_backend.release("424242")
    with pytest.raises(JobError, match="not known"):
        local_backend.terminate("424242")


def test_release_of_finished_job_is_an_error(local_backend, jobdir):
    jid = local_backend.submit(jobdir.script("v", "true"), **jobdir.submit_args("v"), hold=False)
    local_backend.wait(jid, timeout=30)
    with pytest.raises(JobError, match="no longer queued"):
        local_backend.release(jid)


def test_unknown_backend_name():
    with pytest.raises(JobError, match="unknown job backend 'pbs'"):
        get_backend("pbs")


def test_local_is_the_default_backend(settings, tmp_path):
    settings.ION_JOB_BACKEND = ""
    backend = get_backend(state_dir=tmp_path)
    assert backend.name == "local"


@pytest.mark.parametrize("text,code", [("0\n", 0), ("137\n", 137), ("", None), ("x\n", None)])
def test_read_exitcode(tmp_path, text, code):
    f = tmp_path / "j.exitcode"
    f.write_text(text)
    assert read_exitcode(f) == code
    assert read_exitcode(tmp_path / "missing") is None
