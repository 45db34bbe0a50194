"""One crawl at a time: a second concurrent crawl returns `busy` and touches nothing."""
import psycopg2
import pytest
from django.db import connection

import pipeline.ingest.crawler as crawler
from pipeline.ingest.crawler import crawl_forever, crawl_once
from rundb.models import Experiment

pytestmark = pytest.mark.django_db


def _hold_lock_elsewhere():
    """Take the crawler's advisory lock from another PostgreSQL session (another crawler)."""
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    with other.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [crawler._ADVISORY_LOCK_ID])
    return other


def test_busy_when_another_crawl_runs(make_run):
    make_run().explog()
    if connection.vendor == "postgresql":
        other = _hold_lock_elsewhere()

        def release():
            # Unlock explicitly: closing alone frees the lock only once the server has noticed.
            with other.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [crawler._ADVISORY_LOCK_ID])
            other.close()
    else:
        crawler._local_lock.acquire()
        release = crawler._local_lock.release
    try:
        report = crawl_once()
    finally:
        release()
    assert report.busy and "another crawl is running" in report.summary()
    assert not Experiment.objects.exists()
    assert crawl_once().outcomes[0].action == "created"  # lock free again


def test_loop_stops_when_told(make_run):
    make_run().explog()
    seen = []
    crawl_forever(0.01, stop=lambda: len(seen) >= 2, on_report=seen.append)
    assert [r.outcomes[0].action if r.outcomes else None for r in seen] == ["created", "unchanged"]
