"""SIGKILL of the Celery worker in the middle of a crawl, with 50 plugin jobs running: the next
crawl (beat's next tick) ingests every run exactly once, each finished run gets one report and
one analysis job, and the plugin jobs, which never depended on Celery, end in their true state."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from faults_support import ROOT, ProcessGroup, ServiceProcess, report_recovery
from rundb.models import AnalysisJob, Experiment, Results
from sgeutil import in_ci, wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RUNS = 120


class Worker(ProcessGroup):
    def __init__(self, work, queue):
        self.work, self.queue, self.proc, self.n = work, queue, None, 0

    def start(self):
        env = ServiceProcess("sge", self.work, "unused").env()
        env.update(REDIS_URL=os.environ["REDIS_URL"], CELERY_QUEUE=self.queue)
        self.n += 1
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "iondb", "worker", "--pool=solo", "-Q", self.queue,
             "-n", f"{self.queue}-{self.n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=str(ROOT), env=env, stdout=open(self.work / f"worker.{self.n}.log", "w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        return self


EXPLOG = ("Experiment Name: {name}\nStart Time: Mon Apr 30 15:22:02 2012\nFlows: 40\nChipType: 314\n"
          "Platform: PGM\nAutoAnalyze: yes\nLibrary: hg19\nbarcodeId: none\n")


def write_runs(root, n):
    """n instrument runs that have started (explog.txt) and two that have finished (explog_final.txt
    and basecalled data, so the crawl starts their analyses)."""
    names = [f"R_2024_02_03_04_05_{i:03d}_user_crawl{i}" for i in range(n)]
    for i, name in enumerate(names):
        folder = Path(root) / "PGM_fault" / name
        folder.mkdir(parents=True)
        (folder / "explog.txt").write_text(EXPLOG.format(name=name))
        if i < 2:
            (folder / "explog_final.txt").write_text(EXPLOG.format(name=name))
            (folder / "basecaller_results").mkdir()
            (folder / "basecaller_results" / "rawlib.basecaller.bam").write_bytes(b"BAM\x01")
    return names


def test_worker_killed_mid_crawl(fault_grid, tmp_path):
    if not os.environ.get("REDIS_URL"):
        if in_ci():
            pytest.fail("REDIS_URL must be set in CI")
        pytest.skip("no Redis")
    from pipeline.tasks import crawl

    run = fault_grid
    run.grid.service.start()
    run.launch_many(50)
    names = write_runs(settings.ION_RESULTS_ROOT, RUNS)
    run.wait_started(20)
    worker = Worker(tmp_path, f"fault-{uuid.uuid4().hex[:10]}").start()
    try:
        crawl.apply_async(kwargs={"results_root": str(settings.ION_RESULTS_ROOT)}, queue=worker.queue)
        wait_until(lambda: Experiment.objects.filter(pgmName="PGM_fault").exists(), timeout=120, interval=0.05, what="the crawl under way")
        worker.kill()
        at_kill = Experiment.objects.filter(pgmName="PGM_fault").count()
        t0 = time.monotonic()
        worker.start()  # beat's next tick sends the next crawl
        result = crawl.apply_async(kwargs={"results_root": str(settings.ION_RESULTS_ROOT)}, queue=worker.queue)
        result.get(timeout=180)
        recovery = time.monotonic() - t0
    finally:
        worker.stop(timeout=20)
    crawled = Experiment.objects.filter(pgmName="PGM_fault")
    assert crawled.count() == RUNS  # each run once
    assert sorted(crawled.values_list("expName", flat=True)) == sorted(names)
    for name in names[:2]:
        assert Results.objects.filter(experiment__expName=name).count() == 1
        assert AnalysisJob.objects.filter(result__experiment__expName=name).count() == 1
    run.flag.touch()
    run.wait_all_final()
    counts = run.verify()
    print(f"\n{at_kill} of {RUNS} runs were ingested when the worker was killed")
    report_recovery("kill -9 Celery worker", recovery, counts)
