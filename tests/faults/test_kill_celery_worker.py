"""SIGKILL of the Celery worker in the middle of a crawl, with 50 plugin jobs running: the next
crawl (beat's next tick) ingests every run exactly once, each finished run gets one report and
one analysis job, and the plugin jobs, which never depended on Celery, end in their true state."""
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from faults_support import ROOT, ServiceProcess, report_recovery
from rundb.models import AnalysisJob, Experiment, Results
from sgeutil import in_ci, wait_until

pytestmark = [pytest.mark.sge, pytest.mark.live, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RUNS = 120


class Worker:
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

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def write_runs(root, n):
    """n instrument runs that have started (explog.txt only) and two that have finished."""
    sys.path.insert(0, str(ROOT / "tests" / "ingest"))
    from conftest import RunFolder
    names = [f"R_2024_02_03_04_05_{i:03d}_user_crawl{i}" for i in range(n)]
    for name in names:
        RunFolder(root, "PGM_fault", name).explog({"Experiment Name": name})
    for name in names[:2]:
        RunFolder(root, "PGM_fault", name).final({"Experiment Name": name}).bam()
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
        wait_until(lambda: Experiment.objects.exists(), timeout=120, interval=0.05, what="the crawl under way")
        worker.kill()
        at_kill = Experiment.objects.count()
        t0 = time.monotonic()
        worker.start()  # beat's next tick sends the next crawl
        result = crawl.apply_async(kwargs={"results_root": str(settings.ION_RESULTS_ROOT)}, queue=worker.queue)
        result.get(timeout=180)
        recovery = time.monotonic() - t0
    finally:
        worker.stop()
    assert Experiment.objects.count() == RUNS
    assert sorted(Experiment.objects.values_list("expName", flat=True)) == sorted(names)
    for name in names[:2]:
        assert Results.objects.filter(experiment__expName=name).count() == 1
        assert AnalysisJob.objects.filter(result__experiment__expName=name).count() == 1
    run.flag.touch()
    run.wait_all_final()
    counts = run.verify()
    print(f"\n{at_kill} of {RUNS} runs were ingested when the worker was killed")
    report_recovery("kill -9 Celery worker", recovery, counts)
