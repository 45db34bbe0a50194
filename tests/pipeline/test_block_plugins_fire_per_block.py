"""BLOCK plugins of a composite run are launched as each block is basecalled, not after the
whole run: with the job service running, the first block's job starts (its start time is
recorded by the job itself) while the later blocks are still being analysed.

The analysis runs in the test process; its `on_block` hook records when each block is done
and, after the first block, waits until that block's job has started, so the overlap is
certain rather than a race. PostgreSQL is needed (the job service shares the database)."""
import json
import time
from pathlib import Path

import pytest

from analysis_support import analyse, ingest, launch_support, report_log, simulate
from grid_support import service  # noqa: F401  (a fixture)
from rundb.models import AnalysisJob, JobState, PluginResultJob
from sgeutil import wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

BODY = r'''
import time
with open("block_started.json", "w") as fh:
    json.dump({"time": time.time(), "block": self.startplugin["runplugin"]["blockId"],
               "block_dirs": self.startplugin["runplugin"]["block_dirs"]}, fh)
return True
'''


def test_block_jobs_start_while_later_blocks_are_analysed(service, live_server, tmp_path, admin_user):
    launch_support.install(launch_support.make_plugin_zip(
        tmp_path / "zips", "PerBlock", BODY, attrs="runlevels = [RunLevel.BLOCK]\nruntypes = [RunType.COMPOSITE]"))
    run = simulate("R_2024_01_02_03_04_05_user_perblock", reads=1200, fmt="wells", seed=3, blocks=(2, 2))
    result = ingest(run.run_dir)
    AnalysisJob.objects.filter(result=result).delete()  # the test runs the analysis itself
    result.eas.selectedPlugins = {"PerBlock": {"name": "PerBlock", "userInput": {}}}
    result.eas.save()
    service.start(ION_NET_LOCATION=live_server.url, ION_API_URL=live_server.url + "/rundb/api/")

    done = []  # (block id, wall time, block jobs existing then)

    def on_block(block_id):
        done.append((block_id, time.time(), PluginResultJob.objects.filter(run_level="block").count()))
        if len(done) == 1:
            job = PluginResultJob.objects.get(run_level="block")
            wait_until(lambda: PluginResultJob.objects.get(pk=job.pk).state in (JobState.STARTED, JobState.COMPLETED),
                       timeout=120, interval=0.2, what="first block's job started")

    outcome = analyse(result, on_block=on_block)
    assert outcome.ok, (result.status, report_log(result)[-3000:])
    assert [n for _, _, n in done] == [1, 2, 3, 4]  # one block's jobs at a time, as blocks finish

    def all_final():
        jobs = list(PluginResultJob.objects.filter(run_level="block"))
        return len(jobs) == 4 and all(j.state in JobState.FINAL for j in jobs)
    wait_until(all_final, timeout=180, interval=0.5, what="block jobs final")
    jobs = sorted(PluginResultJob.objects.filter(run_level="block"), key=lambda j: j.pk)
    assert [j.state for j in jobs] == [JobState.COMPLETED] * 4, service.log_text()[-3000:]

    started = {}
    for job in jobs:
        seen = json.loads((Path(job.work_dir) / "block_started.json").read_text())
        started[seen["block"]] = seen["time"]
        assert len(seen["block_dirs"]) == 4
    first_block, _, _ = done[0]
    last_block_done = done[-1][1]
    # The first block's plugin ran (by its own clock and by the job row) before the last
    # block had been analysed.
    assert started[first_block] < last_block_done
    first_job = next(j for j in jobs if Path(j.work_dir).parts[-3] == f"block_{first_block}")
    assert first_job.starttime is not None and first_job.starttime.timestamp() < last_block_done
