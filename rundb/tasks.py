"""Small Celery tasks that prove the task machinery works end to end.

``ping`` needs no database, so a test can run it through a real worker whatever database
that worker would see. ``catalog_counts`` reads the catalog, for health checks.
"""
import hashlib
import os
import socket

from celery import shared_task


@shared_task(name="rundb.ping")
def ping(payload="ping"):
    """Echo `payload` with a digest computed here and where it ran (pid, host)."""
    text = str(payload)
    return {
        "payload": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "pid": os.getpid(),
        "hostname": socket.gethostname(),
    }


@shared_task(name="rundb.catalog_counts")
def catalog_counts():
    from rundb.models import Chip, KitInfo, RunType, dnaBarcode

    return {
        "barcode_kits": dnaBarcode.objects.values("name").distinct().count(),
        "barcodes": dnaBarcode.objects.count(),
        "chips": Chip.objects.count(),
        "kits": KitInfo.objects.count(),
        "run_types": RunType.objects.count(),
    }
