"""A 96-barcode composite run (96 blocks) with three plugins at the BLOCK, DEFAULT and POST
levels: about 300 Grid Engine jobs from one analysis. Every job completes, each plugin has
exactly one result, barcodes.json lists every barcode, every job left its output, and the API
keeps answering meanwhile (its p99 is printed)."""
import json
import threading
import time
from pathlib import Path

import pytest
import requests

import analysis_support as an
from faults_support import percentile_ms
from rundb.api.keys import issue_key
from rundb.models import AnalysisJob, PluginResult, PluginResultJob
from sgeutil import wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BARCODES, ROWS, COLS = 96, 8, 12
PLUGINS = ("ScaleCov", "ScaleQC", "ScaleVar")
BODY = r'''
with open("barcodes.json") as fh:
    n = len(json.load(fh))
with open("done.txt", "w") as fh:
    fh.write("%d barcodes\n" % n)
return True
'''


def block_lines():
    width, height = 10, 10
    return [f"BlockStatus: X{c * width}, Y{r * height}, W{width}, H{height}, AutoAnalyze:1, AnalyzeEarly:1"
            for r in range(ROWS) for c in range(COLS)]


def test_96_barcodes_96_blocks_three_plugins(fault_grid, live_server):
    run = fault_grid
    for name in PLUGINS:
        an.launch_support.install(an.launch_support.make_plugin_zip(
            run.grid.work / "zips", name, BODY,
            attrs="runlevels = [RunLevel.BLOCK, RunLevel.DEFAULT, RunLevel.POST]\nruntypes = [RunType.COMPOSITE]"))
    kit = an.barcode_kit(BARCODES)
    sim = an.simulate("R_2024_06_07_08_09_10_user_scale", kit=kit, barcodes=BARCODES, reads=4000, seed=5)
    for name in ("explog.txt", "explog_final.txt"):
        path = Path(sim.run_dir) / name
        path.write_text(path.read_text() + "\n".join(block_lines()) + "\n")
    result = an.ingest(sim.run_dir)
    result.eas.selectedPlugins = {n: {"name": n, "userInput": {}} for n in PLUGINS}
    result.eas.save()

    key = issue_key(run.grid.user)
    latencies, stop = [], threading.Event()

    def poll_api():
        session = requests.Session()
        session.headers["Authorization"] = f"ApiKey ionadmin:{key}"
        urls = [f"{live_server.url}/rundb/api/v1/results/{result.pk}/",
                f"{live_server.url}/rundb/api/v1/pluginresult/?result={result.pk}&limit=20"]
        i = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            response = session.get(urls[i % 2], timeout=30)
            latencies.append((time.perf_counter() - t0, response.status_code))
            i += 1
            time.sleep(0.05)

    poller = threading.Thread(target=poll_api, daemon=True)
    run.grid.service.start()
    poller.start()
    t0 = time.monotonic()
    try:
        # The ingest queued the analysis job: the job service runs it on the grid, then its plugins.
        job = AnalysisJob.objects.get(result=result)
        wait_until(lambda: AnalysisJob.objects.get(pk=job.pk).state in ("Completed", "Error"), timeout=600,
                   interval=1, what="the analysis job")
        result.refresh_from_db()
        assert result.status == "Completed", result.status
        ids = list(PluginResultJob.objects.filter(plugin_result__result=result).values_list("pk", flat=True))
        expected = len(PLUGINS) * (ROWS * COLS + 2)
        assert len(ids) == expected, (len(ids), expected)
        wait_until(lambda: not PluginResultJob.objects.filter(pk__in=ids).exclude(
            state__in=("Completed", "Error")).exists(), timeout=900, interval=1, what="all ~300 jobs final")
    finally:
        stop.set()
        poller.join(timeout=30)
    elapsed = time.monotonic() - t0

    jobs = list(PluginResultJob.objects.filter(pk__in=ids))
    assert {j.state for j in jobs} == {"Completed"}, [(j.pk, j.state) for j in jobs if j.state != "Completed"]
    assert PluginResult.objects.filter(result=result).count() == len(PLUGINS)  # one result per plugin
    grid_ids = [j.grid_engine_jobid for j in jobs]
    assert len(set(grid_ids)) == len(grid_ids)
    for job in jobs:
        assert (Path(job.work_dir) / "done.txt").read_text() == f"{BARCODES} barcodes\n", job.work_dir
    default = next(j for j in jobs if j.run_level == "default")
    barcodes = json.loads((Path(default.work_dir) / "barcodes.json").read_text())
    assert len(barcodes) == BARCODES and all(Path(e["bam_filepath"]).is_file() for e in barcodes.values()
                                             if e.get("read_count"))
    assert latencies and all(code == 200 for _, code in latencies)
    times = [t for t, _ in latencies]
    print(f"\n{len(jobs)} jobs from one run Completed in {elapsed:.0f} s; API during the run: "
          f"{len(times)} requests, p50 {percentile_ms(times, 0.5):.0f} ms, p99 {percentile_ms(times, 0.99):.0f} ms")
