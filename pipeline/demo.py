"""A demo run so a fresh installation's UI and API have something to show.

The demo is real: a small simulated instrument run is written into the results root, where
ingest picks it up exactly as it would an instrument's run (Experiment, report, queued
analysis job); the job service then analyses it like any other run.
"""
import datetime
import logging
from pathlib import Path

from django.conf import settings

from rundb.models import Experiment, dnaBarcode

log = logging.getLogger(__name__)

DEMO_RIG = "DemoS5"
DEMO_RUN = "R_2024_01_15_10_00_00_user_DEMO-1-Demo_run"
DEMO_REFERENCE = "demo_ref"
DEMO_KIT = "IonXpress"


class DemoError(RuntimeError):
    pass


def _demo_kit(count):
    rows = list(dnaBarcode.objects.filter(name=DEMO_KIT, active=True).order_by("index")[:count])
    return [{"id_str": b.id_str, "sequence": b.sequence, "adapter": b.adapter, "index": b.index, "name": b.name}
            for b in rows]


def create_demo_run(*, reads=2000, barcodes=4):
    """Simulate and ingest the demo run unless it exists; returns (Experiment, created)."""
    from pipeline.ingest.runs import ingest_run_folder
    from pipeline.references import find_installed_reference, install_reference
    from pipeline.simulate import simulate_run

    folder = Path(settings.ION_RESULTS_ROOT) / DEMO_RIG / DEMO_RUN
    existing = Experiment.objects.filter(unique=str(folder)).first()
    if existing is not None:
        return existing, False
    if not (folder / "explog_final.txt").exists():
        kit = _demo_kit(barcodes)  # barcoded when the catalog has the IonXpress kit
        run = simulate_run(
            folder, reads=reads, barcodes=len(kit) or None, barcode_kit=kit or None,
            barcode_kit_name=DEMO_KIT if kit else None, instrument="S5", run_name=DEMO_RUN, seed=7,
            genome_size=50_000, reference_name=DEMO_REFERENCE,
            start_time=datetime.datetime(2024, 1, 15, 10, 0, 0),
        )
        if find_installed_reference(DEMO_REFERENCE)[0] is None:
            install_reference(DEMO_REFERENCE, run.reference_fasta, name="Demo reference (simulated)", replace=True)
    outcome = ingest_run_folder(folder)
    experiment = Experiment.objects.filter(unique=str(folder)).first()
    if experiment is None:
        raise DemoError(f"the demo run was not ingested: {outcome}")
    return experiment, True
