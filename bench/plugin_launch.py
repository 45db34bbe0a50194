#!/usr/bin/env python
"""Benchmark: plugin launches through the API, run by the job service on the real Grid Engine,
against the same launch scripts submitted with bare `qsub`.

    eval "$(sge/setup_gridengine.sh --print-env)"
    .venv/bin/python bench/plugin_launch.py [--n 200] [--concurrency 4] [--backend sge|local]

What it does, in this process:
1. a throw-away PostgreSQL database next to DATABASE_URL (default postgres://postgres@127.0.0.1:5432/),
   migrated; a temporary results root; a trivial plugin installed from a zip; one report;
2. gunicorn (config/gunicorn.conf.py) on 127.0.0.1:<free port> and `manage.py jobservice`;
3. one warm-up launch (not counted), then N `POST results/<pk>/plugin/` from a few client
   threads (ApiKey auth), recording when each POST was sent;
4. waits until every job is final, reading starttime/endtime of the PluginResultJob rows
   (set by the launch script's REST callbacks or by the service's poll);
5. baseline: the same N launch scripts submitted with bare `qsub` (sge/backends/bare_qsub.py,
   one process per submission, no database, no hold/release), timed from the first qsub to
   the last exit-code file.

Prints launches/s, median and p95 time from POST to Started and to Completed, the total time of
both runs and their ratio, and the checks: N rows, N unique grid ids, all Completed.
Targets (single-node SGE, 1 s scheduler interval): median POST->Started < 2 s, total within
1.5x of bare qsub. The exit status is 1 when a check fails (never because of a timing).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
PLUGIN = "BenchNoop"
PLUGIN_SOURCE = textwrap.dedent(f'''\
    from ion.plugin import *


    class {PLUGIN}(IonPlugin):
        """Does nothing, quickly."""
        version = "1.0.0.0"

        def launch(self, data=None):
            print("bench plugin ran")
            return True


    if __name__ == "__main__":
        PluginCLI()
    ''')


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# -- set-up ---------------------------------------------------------------------------------

def _admin(server_url):
    """An autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg2

    parsed = urlparse(server_url)
    conn = psycopg2.connect(dbname="postgres", user=parsed.username or "postgres", password=parsed.password or None,
                            host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432)
    conn.autocommit = True
    return conn


def database_server(parser, backend):
    """The PostgreSQL server URL to create the benchmark database on; a usage error (exit 2)
    when qsub is needed but missing or the server is not PostgreSQL."""
    if backend == "sge" and not shutil.which("qsub"):
        parser.error("qsub not on PATH: run sge/setup_gridengine.sh and eval its --print-env output")
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/"
    if not server.startswith(("postgres://", "postgresql://")):
        parser.error("this benchmark needs PostgreSQL (set DATABASE_URL or BENCH_DATABASE_URL)")
    return server


def drop_database(server_url, name):
    from psycopg2 import sql

    conn = _admin(server_url)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()


def create_database(server_url, name):
    from psycopg2 import sql

    drop_database(server_url, name)
    conn = _admin(server_url)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    return urlunparse(urlparse(server_url)._replace(path="/" + name))


def discard(server_url, name, work):
    """Drop the throw-away database (closing this process's connections first) and the work folder."""
    try:
        from django.db import connections
        connections.close_all()
        drop_database(server_url, name)
    except Exception as exc:  # cleanup only
        log(f"could not drop {name}: {exc}")
    shutil.rmtree(work, ignore_errors=True)


def setup_django(db_url, work, port):
    os.environ.update(
        DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="iondb.settings", ION_VAR_DIR=str(work / "var"),
        ION_RESULTS_ROOT=str(work / "results"), ION_NET_LOCATION=f"http://127.0.0.1:{port}",
        ION_API_URL=f"http://127.0.0.1:{port}/rundb/api/", ION_JOB_STATE_DIR=str(work / "jobstate"),
        DATABASE_CONN_MAX_AGE="60", LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_TEST_NAME", None)
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)


def create_fixtures(work):
    """ionadmin with an API key, the installed trivial plugin, one report with its folder."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from plugin.services.install import install_from_zip
    from rundb.api.keys import issue_key
    from rundb.models import Experiment, ExperimentAnalysisSettings, ReportStorage, Results

    user = get_user_model().objects.create_superuser("ionadmin", "admin@example.com", "ionadmin")
    key = issue_key(user)
    zpath = work / f"{PLUGIN}.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr(f"{PLUGIN}/{PLUGIN}.py", PLUGIN_SOURCE)
    install_from_zip(zpath)
    root = Path(settings.ION_REPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    storage = ReportStorage.objects.create(name="Home", webServerPath="/output/Home", dirPath=str(root), default=True)
    raw = Path(settings.ION_RESULTS_ROOT) / "PGM_bench" / "R_bench"
    raw.mkdir(parents=True, exist_ok=True)
    exp = Experiment.objects.create(expName="R_2024_01_01_bench", unique=str(raw), expDir=str(raw), chipType="314",
                                    pgmName="PGM_bench", flows=100, flowsInOrder="TACG", platform="PGM")
    eas = ExperimentAnalysisSettings.objects.create(experiment=exp, libraryKey="TCAG", tfKey="ATCG")
    result = Results.objects.create(experiment=exp, eas=eas, reportstorage=storage, resultsName="bench",
                                    runid="BENCH")
    result.report_dir.mkdir(parents=True, exist_ok=True)
    return user, key, result


class Proc:
    def __init__(self, name, argv, env, logfile):
        self.name = name
        self.logfile = logfile
        self.proc = subprocess.Popen(argv, cwd=str(ROOT), env=env, stdout=open(logfile, "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def cpu_seconds(self):
        """User+system CPU of the process and its live descendants (gunicorn workers)."""
        ticks = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    data = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = data[data.rfind(")") + 2:].split()
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
        tree, todo = set(), [self.proc.pid]
        while todo:
            pid = todo.pop()
            tree.add(pid)
            todo.extend(p for p, (ppid, _) in stats.items() if ppid == pid and p not in tree)
        return sum(stats[p][1] for p in tree if p in stats) / ticks

    def check(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{Path(self.logfile).read_text()[-3000:]}")


def machine_cpu_seconds():
    """Busy CPU seconds of the whole machine (user+nice+system+irq+softirq, /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def daemon_cpu_seconds(names):
    """CPU seconds of the processes named *names* and of their exited children (the
    execd's shepherds and jobs, the postmaster's backends), threads included."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            data = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if data[data.find("(") + 1:data.rfind(")")] in names:
            fields = data[data.rfind(")") + 2:].split()
            total += sum(int(x) for x in fields[11:15]) / ticks
    return total


GRID_ENGINE = ("sge_qmaster", "sge_execd")
POSTGRES = ("postgres",)


def start_gunicorn(port, work):
    env = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", "2"),
               GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "8"), GUNICORN_ACCESSLOG="/dev/null",
               GUNICORN_LOGLEVEL="warning")
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    proc = Proc("gunicorn", [gunicorn, "-c", str(ROOT / "config" / "gunicorn.conf.py")], env, work / "gunicorn.log")
    import requests
    deadline = time.monotonic() + 60
    while True:
        proc.check()
        try:
            requests.get(f"http://127.0.0.1:{port}/rundb/api/v1/", timeout=2)
            return proc
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)


def start_jobservice(backend, prefix, work):
    env = dict(os.environ, ION_JOB_NAME_PREFIX=prefix, ION_LOCAL_SLOTS=os.environ.get("ION_LOCAL_SLOTS", "8"),
               LOG_LEVEL=os.environ.get("BENCH_SERVICE_LOG_LEVEL", "WARNING"))  # INFO: one line per job
    return Proc("jobservice", [PYTHON, str(ROOT / "manage.py"), "jobservice", "--backend", backend],
                env, work / "jobservice.log")


def queue_slots(queue):
    from sge.backends import sgecli
    res = sgecli.run(["qconf", "-sq", queue])
    for line in res.stdout.splitlines():
        if line.startswith("slots"):
            return line.split()[1]
    return "?"


def create_queue(name, slots):
    """A copy of all.q named *name* with *slots* slots (deleted again at the end)."""
    from sge.backends import sgecli
    res = sgecli.run(["qconf", "-sq", "all.q"])
    if res.returncode != 0:
        raise RuntimeError(f"qconf -sq all.q: {res.stderr.strip()}")
    lines = []
    for line in res.stdout.splitlines():
        key = line.split()[0] if line.split() else ""
        if key == "qname":
            line = f"qname {name}"
        elif key == "slots":
            line = f"slots {slots}"
        lines.append(line)
    folder = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    res = sgecli.run(["qconf", "-Aq", str(path)])
    shutil.rmtree(folder, ignore_errors=True)
    if res.returncode != 0:
        raise RuntimeError(f"qconf -Aq: {res.stderr.strip() or res.stdout.strip()}")
    log(f"created queue {name} with {slots} slots")
    return name


def delete_queue(name):
    from sge.backends import sgecli
    for _ in range(30):
        res = sgecli.run(["qconf", "-dq", name])
        if res.returncode == 0:
            return
        time.sleep(1)  # deleted jobs may still be leaving it
    log(f"could not delete queue {name}: {res.stderr.strip() or res.stdout.strip()}")


# -- the measured run -------------------------------------------------------------------------

def post_launches(port, user, key, result_pk, n, concurrency, rate=0.0):
    """POST n launches (at most *rate* per second when given); returns
    [(sent_at, job pk, seconds to the 202)] and the wall time of the POST phase."""
    import requests

    url = f"http://127.0.0.1:{port}/rundb/api/v1/results/{result_pk}/plugin/"
    headers = {"Authorization": f"ApiKey {user.username}:{key}", "Content-Type": "application/json"}
    body = json.dumps({"plugin": [PLUGIN], "pluginconfig": {}})
    local = threading.local()

    t_start = time.time()

    def one(i):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        if rate:
            delay = t_start + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
        sent = time.time()
        resp = session.post(url, data=body, headers=headers, timeout=120)
        answered = time.time() - sent
        if resp.status_code != 202:
            raise RuntimeError(f"POST returned {resp.status_code}: {resp.text[:500]}")
        jobs = resp.json()["jobs"]
        return sent, jobs[0]["id"], answered

    t0 = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        out = list(pool.map(one, range(n)))
    return out, time.monotonic() - t0


def wait_final(job_pks, services, timeout):
    from django.db import close_old_connections

    from rundb.models import JobState, PluginResultJob

    deadline = time.monotonic() + timeout
    while True:
        for proc in services:
            proc.check()
        close_old_connections()
        pending = PluginResultJob.objects.filter(pk__in=job_pks).exclude(state__in=JobState.FINAL).count()
        if not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending} jobs not final after {timeout} s")
        time.sleep(0.2)


def measure_service(port, user, key, result, n, concurrency, services, timeout, rate=0.0):
    from rundb.models import PluginResultJob

    log("warm-up launch")
    warm, _ = post_launches(port, user, key, result.pk, 1, 1)
    wait_final([warm[0][1]], services, timeout)
    log(f"{n} launches through the API, {concurrency} client threads"
        + (f", at most {rate:g}/s" if rate else ", as fast as the API answers"))
    cpu0 = {p.name: p.cpu_seconds() for p in services}
    machine0, sge0, pg0 = machine_cpu_seconds(), daemon_cpu_seconds(GRID_ENGINE), daemon_cpu_seconds(POSTGRES)
    t0 = time.time()
    posted, post_seconds = post_launches(port, user, key, result.pk, n, concurrency, rate)
    job_pks = [pk for _, pk, _ in posted]
    answered = [a for _, _, a in posted]
    wait_final(job_pks, services, timeout)
    rows = {j.pk: j for j in PluginResultJob.objects.filter(pk__in=job_pks)}
    to_started, to_completed, pickup, dispatch = [], [], [], []
    for sent, pk, _ in posted:
        job = rows[pk]
        if job.starttime:
            to_started.append(job.starttime.timestamp() - sent)
        if job.endtime:
            to_completed.append(job.endtime.timestamp() - sent)
        if job.submitted_at:
            pickup.append((job.submitted_at - job.created).total_seconds())
            if job.starttime:
                dispatch.append((job.starttime - job.submitted_at).total_seconds())
    total = max(j.endtime.timestamp() for j in rows.values() if j.endtime) - t0
    cpu = {p.name: p.cpu_seconds() - cpu0[p.name] for p in services}
    cpu["machine"] = machine_cpu_seconds() - machine0
    cpu["grid engine"] = daemon_cpu_seconds(GRID_ENGINE) - sge0
    cpu["postgres"] = daemon_cpu_seconds(POSTGRES) - pg0
    return {
        "cpu": cpu,
        "posted": posted, "rows": rows, "post_seconds": post_seconds, "total": total,
        "to_started": to_started, "to_completed": to_completed, "pickup": pickup, "dispatch": dispatch,
        "answered": answered,
    }


def measure_bare_qsub(rows, prefix, work, timeout):
    """The same launch scripts, one bare qsub each; timed to the last exit-code file."""
    from sge.backends.bare_qsub import submit_with_qsub
    from sge.env import plugin_queue

    base = work / "baseline"
    base.mkdir()
    codes = []
    t0 = time.time()
    for i, job in enumerate(rows):
        code = base / f"{i}.exitcode"
        codes.append(code)
        submit_with_qsub(job.script_path, job_name=f"{prefix}b_{i}", stdout_path=str(base / f"{i}.out"),
                         queue=plugin_queue(),
                         work_dir=job.work_dir, env={"ION_JOB_EXITCODE_FILE": str(code), "PATH": "/usr/bin:/bin"},
                         wrap_exitcode=True)
    submit_seconds = time.time() - t0
    deadline = time.monotonic() + timeout
    while not all(c.exists() for c in codes):
        if time.monotonic() > deadline:
            raise RuntimeError("bare qsub jobs did not finish in time")
        time.sleep(0.1)
    total = max(c.stat().st_mtime for c in codes) - t0
    failed = sum(1 for c in codes if c.read_text().strip() != "0")
    return {"total": total, "submit_seconds": submit_seconds, "failed": failed}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="launches (default 200)")
    parser.add_argument("--concurrency", type=int, default=4, help="API client threads (default 4)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="at most this many launches per second (default: as fast as the API answers)")
    parser.add_argument("--backend", choices=("sge", "local"), default="sge")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for all jobs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare qsub run")
    parser.add_argument("--slots", type=int, default=0,
                        help="run both measurements in a temporary queue with this many slots on the "
                             "all.q hosts (default: the plugin queue as configured, ION_SGE_PLUGIN_QUEUE)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the work folder")
    args = parser.parse_args(argv)
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be positive")
    server = database_server(parser, args.backend)
    db_name = f"bench_plugin_launch_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bench-plugin-launch-"))
    port = free_port()
    prefix = "bench" + uuid.uuid4().hex[:6]
    services = []
    code = 0
    queue = None
    try:
        if args.slots:
            queue = create_queue(f"{prefix}.q", args.slots)
            # the service (analysis and plugin jobs) and bare qsub all use it
            os.environ["ION_SGE_QUEUE"] = os.environ["ION_SGE_PLUGIN_QUEUE"] = queue
        db_url = create_database(server, db_name)
        setup_django(db_url, work, port)
        user, key, result = create_fixtures(work)
        services.append(start_gunicorn(port, work))
        services.append(start_jobservice(args.backend, prefix, work))
        svc = measure_service(port, user, key, result, args.n, args.concurrency, services, args.timeout, args.rate)
        rows = list(svc["rows"].values())
        from rundb.models import JobState
        completed = sum(1 for r in rows if r.state == JobState.COMPLETED)
        grid_ids = [r.grid_engine_jobid for r in rows]
        unique_ids = len(set(i for i in grid_ids if i is not None))
        bare = None
        if args.backend == "sge" and not args.no_baseline:
            log(f"baseline: the same {args.n} launch scripts with bare qsub")
            bare = measure_bare_qsub(sorted(rows, key=lambda r: r.pk), prefix, work, args.timeout)

        print()
        from sge.env import plugin_queue
        pace = f"at most {args.rate:g}/s" if args.rate else "unpaced"
        print(f"plugin launches: {args.n} via POST results/<pk>/plugin/ ({args.concurrency} client threads, {pace}), "
              f"backend {args.backend}"
              + (f", queue {plugin_queue()} ({queue_slots(plugin_queue())} slots)" if args.backend == "sge" else "")
              + ", "
              f"{os.cpu_count()} CPUs")
        print(f"  launches/s (POST phase)     {args.n / svc['post_seconds']:8.1f}   ({svc['post_seconds']:.1f} s)")
        print(f"  POST -> Started   median    {statistics.median(svc['to_started']):8.2f} s   "
              f"p95 {percentile(svc['to_started'], 0.95):.2f} s")
        print(f"  POST -> Completed median    {statistics.median(svc['to_completed']):8.2f} s   "
              f"p95 {percentile(svc['to_completed'], 0.95):.2f} s")
        print(f"    POST answered (202) median {statistics.median(svc['answered']):.2f} s; "
              f"row created -> submitted (job service) median {statistics.median(svc['pickup']):.2f} s, "
              f"p95 {percentile(svc['pickup'], 0.95):.2f} s; submitted -> Started (scheduler) median "
              f"{statistics.median(svc['dispatch']):.2f} s")
        print(f"  total (first POST -> last Completed) {svc['total']:.1f} s; CPU used meanwhile: job service "
              f"{svc['cpu']['jobservice']:.1f} s, gunicorn {svc['cpu']['gunicorn']:.1f} s, Grid Engine "
              f"(daemons, shepherds, jobs) {svc['cpu']['grid engine']:.1f} s, PostgreSQL {svc['cpu']['postgres']:.1f} s;\n"
              f"    whole machine {svc['cpu']['machine']:.1f} s "
              f"of {os.cpu_count() * svc['total']:.1f} s available")
        if bare:
            ratio = svc["total"] / bare["total"]
            print(f"bare qsub baseline: {args.n} submissions in {bare['submit_seconds']:.1f} s, "
                  f"all finished after {bare['total']:.1f} s ({bare['failed']} non-zero)")
            print(f"  ratio total service / bare qsub   {ratio:.2f}x   (target <= 1.5x"
                  + ("; paced run: the pace sets the total)" if args.rate else ")"))
        print(f"  median POST -> Started target < 2 s: "
              f"{'met' if statistics.median(svc['to_started']) < 2 else 'MISSED'}")
        print(f"checks: rows {len(rows)}/{args.n}, Completed {completed}/{args.n}, "
              f"unique grid ids {unique_ids}/{args.n}")
        if len(rows) != args.n or completed != args.n or unique_ids != args.n:
            code = 1
            print("CHECK FAILED")
    finally:
        for proc in reversed(services):
            proc.stop()
        if args.backend == "sge":
            try:
                from sge.backends import bare_qsub, sgecli
                bare_qsub.qdel([j.jobid for j in sgecli.qstat_jobs() if j.name.startswith(prefix)])
            except Exception as exc:  # cleanup only
                log(f"cleanup of grid jobs failed: {exc}")
        if queue:
            delete_queue(queue)
        if args.keep:
            log(f"kept database {db_name} and {work}")
        else:
            discard(server, db_name, work)
    return code


if __name__ == "__main__":
    sys.exit(main())
