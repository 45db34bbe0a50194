"""Install -> launch -> job service -> Completed, on the real Grid Engine (and on the local
backend, the embedded default), with the wrapper's REST callbacks going to a live server."""
from pathlib import Path

import pytest

from grid_support import backend_name, grid, seen  # noqa: F401
from rundb.models import JobState

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_plugin_runs_to_completed_with_files_and_environment(grid):
    grid.service.start()
    pr, job = grid.launch(config={"mode": "ok", "colour": "blue"})
    job = grid.wait_state(job, JobState.COMPLETED)
    # The launch script reports Completed before it exits; the service adds the exit code.
    job = grid.wait_exit_code(job)
    assert job.grid_engine_jobid and job.exit_code == 0
    assert job.starttime and job.endtime and job.starttime <= job.endtime
    folder = Path(job.work_dir)
    assert folder == Path(grid.report.report_dir) / "plugin_out" / f"GridPlugin_out.{pr.pk}"
    names = {p.name for p in folder.iterdir()}
    assert {"startplugin.json", "barcodes.json", "ion_plugin_GridPlugin_launch.sh", "drmaa_stdout.txt",
            "seen.json", "GridPlugin_block.html", f"plugin_GridPlugin_{job.pk}.exitcode"} <= names
    out = (folder / "drmaa_stdout.txt").read_text()
    assert "grid plugin says hello" in out
    assert "finished with state Completed" in out
    info = seen(job)
    env = info["env"]
    assert info["cwd"] == str(folder) and info["umask"] == "0o0"
    assert env["RESULTS_DIR"] == str(folder) == env["TSP_FILEPATH_PLUGIN_DIR"]
    assert env["RUNINFO__PLUGINRESULT"] == str(pr.pk)
    assert env["PLUGINCONFIG__COLOUR"] == "blue"
    assert env["DIRNAME"] == grid.plugin().path
    assert env["JOB_ID"] == str(job.grid_engine_jobid)  # set by the scheduler (or the local runner)
    assert env["JOB_NAME"] == f"{grid.prefix}_prj_{job.pk}"
    if grid.backend == "sge":
        # Plugin jobs run in the plugin queue (sge/setup_gridengine.sh: plugin.q, niced so
        # the server stays responsive), not in the analysis queue.
        from sge.env import plugin_queue
        assert env["QUEUE"] == plugin_queue()
        if plugin_queue() == "plugin.q":
            assert info["nice"] == 10
    assert (folder / f"plugin_GridPlugin_{job.pk}.exitcode").read_text().strip() == "0"
    pr.refresh_from_db()
    assert pr.size > 0 and pr.inodes >= len(names) - 1
    assert grid.service.stop() == 0  # SIGTERM: the loop ends and the session is closed
    assert "job service stopping" in grid.service.log_text()


def test_wrapper_callbacks_report_started_and_completed(grid):
    # With the service's status poll once an hour, only the launch script's own PATCHes can
    # move the row: Started and Completed must both arrive over REST.
    grid.service.start(ION_JOB_STATUS_POLL="3600")
    pr, job = grid.launch(config={"mode": "ok", "sleep": 2})
    job = grid.wait_state(job, (JobState.STARTED,) + JobState.FINAL)
    assert job.state == JobState.STARTED
    job = grid.wait_state(job, JobState.COMPLETED)
    log = Path(job.stdout_path).read_text()
    assert "job_callback:" not in log, log  # no failed callback
