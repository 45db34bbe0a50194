#!/usr/bin/env python
"""Benchmark: many concurrent API clients against gunicorn + PostgreSQL while plugin jobs run
on the real Grid Engine and call back.

    eval "$(sge/setup_gridengine.sh --print-env)"
    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--backend sge|local]

What it does, in this process:
1. a throw-away PostgreSQL database (as bench/plugin_launch.py), migrated; ionadmin with an API
   key; a trivial plugin installed; 200 reports with metrics (as bench/api_list.py);
2. gunicorn (config/gunicorn.conf.py, its worker and thread counts unless --workers/--threads)
   and `manage.py jobservice` as separate processes;
3. baseline: the same clients, back to back for a fifth of --seconds, GET the API root only
   (the cheapest authenticated request: the cost of HTTP, gunicorn and authentication alone);
4. the measured run: --clients asyncio clients (bench/httpclient.py, one keep-alive
   connection each) for --seconds, sending --rate requests/s together at Poisson-distributed
   times (after --warmup-seconds of the same, not counted), each picking routes by weight:
   list and detail reads, plan creation, report PATCHes and plugin launches (at most
   --launch-rate per second in all); the launched jobs' REST callbacks arrive meanwhile;
5. the capacity run: the same clients back to back for --capacity-seconds, which shows the
   most the server answers per second and the latency once requests queue.

Why a paced measured run: with clients that send their next request the moment the last is
answered, the latency is set by the number of clients over the server's throughput (Little's
law), whatever the server does; a latency goal needs a stated load. A paced request's time is
counted from when it was due, so a slow answer also charges the requests waiting behind it.

Prints requests/s, p50/p95/p99 per route and its p50 ratio to the baseline, and the error
count (any 5xx, any unexpected status, any connection error or timeout). The exit status is
1 when there was an error or a launched job did not complete (never because of a timing).
Goals on a 2-core machine: 0 errors, p99 <= 250 ms in the measured run.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import runpy
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from plugin_launch import (PLUGIN, create_database, create_fixtures, database_server, discard, free_port,  # noqa: E402
                           log, percentile, setup_django, start_gunicorn, start_jobservice)

API = "/rundb/api/v1"
# A valid plan against the reference catalog (rundb/catalog/data), as a LIMS would send it.
PLAN = {"chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2", "sequencekitname": "Ion S5 Sequencing Kit",
        "librarykitname": "Ion Xpress Plus Fragment Library Kit", "library": "hg19", "sample": "load sample",
        "flows": 500}


def populate_reports(user, n):
    """n reports with metrics (bench/api_list.py's data) for the list and detail routes."""
    from api_list import populate
    from rundb import models as m

    # api_list.populate creates its own superuser and storage; reuse it under another name.
    m.ReportStorage.objects.filter(default=True).update(default=False)
    _, _, results = populate(n)
    return [r.pk for r in results], list(m.Experiment.objects.values_list("pk", flat=True))


def routes(ids, exp_ids, report_pk, launch_rate):
    """(name, weight, request builder) — a builder returns (method, path, json body, ok statuses)."""
    plan_no = iter(range(10**9))
    last_launch = [0.0]

    def launch():
        now = time.monotonic()
        if now - last_launch[0] < 1.0 / launch_rate:
            return None  # over the launch budget: this pick becomes a read
        last_launch[0] = now
        return "POST", f"{API}/results/{report_pk}/plugin/", {"plugin": [PLUGIN], "pluginconfig": {}}, (202,)

    return [
        ("GET results list", 20, lambda: ("GET", f"{API}/results/?limit=20&order_by=-timeStamp", None, (200,))),
        ("GET experiment list", 10, lambda: ("GET", f"{API}/experiment/?limit=20", None, (200,))),
        ("GET compositeexperiment list", 10, lambda: ("GET", f"{API}/compositeexperiment/?limit=20", None, (200,))),
        ("GET pluginresult list", 10, lambda: ("GET", f"{API}/pluginresult/?limit=20&order_by=-id", None, (200,))),
        ("GET plannedexperiment list", 5, lambda: ("GET", f"{API}/plannedexperiment/?limit=20", None, (200,))),
        ("GET results detail", 15, lambda: ("GET", f"{API}/results/{random.choice(ids)}/", None, (200,))),
        ("GET experiment detail", 10, lambda: ("GET", f"{API}/experiment/{random.choice(exp_ids)}/", None, (200,))),
        ("POST plannedexperiment", 5, lambda: ("POST", f"{API}/plannedexperiment/",
                                               dict(PLAN, planName=f"load_plan_{next(plan_no)}"), (201,))),
        ("PATCH results", 5, lambda: ("PATCH", f"{API}/results/{random.choice(ids)}/",
                                      {"metaData": {"load": random.random()}}, (202, 204))),
        ("POST plugin launch", 3, launch),
    ]


async def client(connect, table, weights, deadline, stats, errors, interval=None):
    """One client on its own connection until *deadline*: requests back to back (*interval*
    None), or at Poisson-distributed times *interval* seconds apart on average. A paced
    request's latency counts from when it was due, so a client still waiting on its previous
    answer charges that wait to the server (no coordinated omission)."""
    http = connect()
    due = time.monotonic() + (random.expovariate(1 / interval) if interval else 0.0)
    try:
        while True:
            start = due if interval else time.monotonic()
            if start >= deadline:
                break
            if interval:
                await asyncio.sleep(max(0.0, start - time.monotonic()))
                due += random.expovariate(1 / interval)
            name, _, build = random.choices(table, weights)[0]
            request = build()
            if request is None:
                name, _, build = table[0]
                request = build()
            method, path, body, ok = request
            try:
                resp = await http.request(method, path, json=body)
            except Exception as exc:  # a connection error or a timeout is an error, not a crash
                errors.append((name, repr(exc)))
                await http.close()
                continue
            stats[name].append(time.monotonic() - start)
            if resp.status_code not in ok:
                errors.append((name, f"{resp.status_code}: {resp.text[:200]}"))
    finally:
        await http.close()


async def drive(port, auth, table, clients, seconds, rate=None):
    """*clients* coroutines, each on its own keep-alive connection, for *seconds*: back to back,
    or together *rate* requests per second on average."""
    from httpclient import Connection

    stats, errors = defaultdict(list), []
    weights = [w for _, w, _ in table]
    interval = clients / rate if rate else None
    t0 = time.monotonic()
    deadline = t0 + seconds
    await asyncio.gather(*(client(lambda: Connection("127.0.0.1", port, {"Authorization": auth}), table, weights,
                                  deadline, stats, errors, interval) for _ in range(clients)))
    return stats, errors, time.monotonic() - t0


def wait_jobs_final(timeout):
    from django.db import close_old_connections

    from rundb.models import JobState, PluginResultJob

    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        pending = PluginResultJob.objects.exclude(state__in=JobState.FINAL).count()
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    rows = list(PluginResultJob.objects.values_list("state", flat=True))
    return len(rows), sum(s == JobState.COMPLETED for s in rows), pending


def route_table(title, stats, errors, elapsed, base_p50):
    """Requests/s and p50/p95/p99 per route of one phase; its overall p99 in seconds."""
    total = sum(len(v) for v in stats.values())
    print(f"\n{title}: {total} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s; errors {len(errors)}")
    print(f"{'route':32} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p50/baseline':>13}")
    for name, values in sorted(stats.items()):
        print(f"{name:32} {len(values):6d} {percentile(values, 0.5) * 1000:8.1f} {percentile(values, 0.95) * 1000:8.1f}"
              f" {percentile(values, 0.99) * 1000:8.1f} {percentile(values, 0.5) / base_p50:12.1f}x")
    allv = [v for values in stats.values() for v in values]
    print(f"{'all routes':32} {len(allv):6d} {percentile(allv, 0.5) * 1000:8.1f} {percentile(allv, 0.95) * 1000:8.1f}"
          f" {percentile(allv, 0.99) * 1000:8.1f}")
    return percentile(allv, 0.99)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the measured run (default 60)")
    parser.add_argument("--rate", type=float, default=50.0,
                        help="requests/s the clients send together in the measured run (default 50: one per "
                             "client per second); 0 sends back to back")
    parser.add_argument("--capacity-seconds", type=float, default=20,
                        help="length of the back-to-back run that finds the server's capacity (0: skip)")
    parser.add_argument("--launch-rate", type=float, default=2.0, help="plugin launches per second at most")
    parser.add_argument("--reports", type=int, default=200, help="reports in the database (default 200)")
    parser.add_argument("--backend", choices=("sge", "local"), default="sge")
    parser.add_argument("--warmup-seconds", type=float, default=10,
                        help="mixed requests at --rate before the measured run, not counted (default 10)")
    shipped = runpy.run_path(str(HERE.parent / "config" / "gunicorn.conf.py"))
    parser.add_argument("--workers", type=int, default=shipped["workers"],
                        help=f"gunicorn workers (default: config/gunicorn.conf.py's, {shipped['workers']} here)")
    parser.add_argument("--threads", type=int, default=shipped["threads"],
                        help=f"threads per gunicorn worker (default: config/gunicorn.conf.py's, {shipped['threads']})")
    args = parser.parse_args(argv)
    if (args.clients < 1 or args.seconds <= 0 or args.launch_rate <= 0
            or min(args.rate, args.capacity_seconds, args.warmup_seconds) < 0):
        parser.error("--clients, --seconds and --launch-rate must be positive; --rate, --capacity-seconds and "
                     "--warmup-seconds not negative")
    server = database_server(parser, args.backend)
    os.environ.update(GUNICORN_WORKERS=str(args.workers), GUNICORN_THREADS=str(args.threads))
    db_name = f"bench_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = free_port()
    services, code = [], 0
    try:
        db_url = create_database(server, db_name)
        setup_django(db_url, work, port)
        user, key, result = create_fixtures(work)
        from rundb.catalog import load_catalog
        load_catalog()
        ids, exp_ids = populate_reports(user, args.reports)
        services.append(start_gunicorn(port, work))
        services.append(start_jobservice(args.backend, "load" + uuid.uuid4().hex[:6], work))
        auth = f"ApiKey {user.username}:{key}"
        log(f"baseline: {args.clients} clients on the API root, back to back, for {args.seconds / 5:.0f} s")
        root = [("GET API root", 1, lambda: ("GET", f"{API}/", None, (200,)))]
        base_stats, errors, _ = asyncio.run(drive(port, auth, root, args.clients, args.seconds / 5))
        base = base_stats["GET API root"]
        table = routes(ids, exp_ids, result.pk, args.launch_rate)
        pace = f"{args.rate:g} requests/s in all" if args.rate else "back to back"
        if args.warmup_seconds:
            log(f"warm-up: {args.clients} clients, {pace}, for {args.warmup_seconds:.0f} s (not counted)")
            errors += asyncio.run(drive(port, auth, table, args.clients, args.warmup_seconds, args.rate))[1]
        log(f"measured run: {args.clients} clients, {pace}, for {args.seconds:.0f} s")
        stats, run_errors, elapsed = asyncio.run(drive(port, auth, table, args.clients, args.seconds, args.rate))
        errors += run_errors
        phases = [(f"measured run ({args.clients} clients, {pace})", stats, run_errors, elapsed)]
        if args.rate and args.capacity_seconds:
            log(f"capacity run: {args.clients} clients back to back for {args.capacity_seconds:.0f} s")
            cap = asyncio.run(drive(port, auth, table, args.clients, args.capacity_seconds))
            errors += cap[1]
            phases.append((f"capacity run ({args.clients} clients, back to back)",) + cap)
        for service in services:
            service.check()
        launched, completed, pending = wait_jobs_final(timeout=120)

        print(f"\nbaseline (API root, back to back): {len(base)} requests, p50 {percentile(base, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(base, 0.99) * 1000:.1f} ms")
        p99s = [route_table(title, *phase, percentile(base, 0.5)) for title, *phase in phases]
        print(f"\np99 goal <= 250 ms in the measured run: {'met' if p99s[0] <= 0.25 else 'missed'} "
              f"({p99s[0] * 1000:.1f} ms)")
        print(f"plugin jobs launched: {launched}, Completed {completed}, not final {pending}")
        for name, what in errors[:20]:
            print(f"  ERROR {name}: {what}")
        print(f"errors: {len(errors)}")
        if errors or pending or completed != launched:
            code = 1
            print("CHECK FAILED")
    finally:
        for proc in reversed(services):
            proc.stop()
        discard(server, db_name, work)
    return code


if __name__ == "__main__":
    sys.exit(main())
