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


@shared_task(name="pipeline.tasks.build_reference", ignore_result=False)
def build_reference(short_name, fasta_path, name="", staging_dir=""):
    """Index an uploaded FASTA as reference `short_name` (the row exists, status "queued");
    the row's status is the build's state: indexing, then complete or error. Always returns
    {"short_name", "status", "error"}: a failed build is an outcome, not a task failure, so
    eager mode (no Redis) does not raise into the upload request."""
    import shutil

    from pipeline.references import ReferenceInstallError, install_reference
    from rundb.models import ReferenceGenome

    try:
        row = install_reference(short_name, fasta_path, name=name or short_name, replace=True)
        return {"short_name": short_name, "status": row.status, "error": ""}
    except (ReferenceInstallError, ValueError, OSError) as exc:
        ReferenceGenome.objects.filter(short_name=short_name).update(status="error", verbose_error=str(exc)[:3000])
        return {"short_name": short_name, "status": "error", "error": str(exc)}
    finally:
        if staging_dir:
            shutil.rmtree(staging_dir, ignore_errors=True)
