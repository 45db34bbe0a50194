"""Celery tasks of the pipeline package.

`pipeline.tasks.crawl` is scheduled by celery beat (settings.CELERY_BEAT_SCHEDULE, every
ION_CRAWL_INTERVAL seconds); with no Redis configured it runs eagerly in the caller.
"""
from celery import shared_task


@shared_task(name="pipeline.tasks.crawl", ignore_result=False)
def crawl(results_root=None, auto_analysis=True):
    """One crawl of the results root; returns the JSON-able crawl report."""
    from pipeline.ingest.crawler import crawl_once

    return crawl_once(results_root, auto_analysis=auto_analysis).as_dict()
