"""A demo run so a fresh installation's UI and API have something to show.

When the run simulator and the analysis pipeline are installed (``pipeline.simulate``
offering ``create_demo_run``), the demo is a real simulated run analysed end to end.
Until then, and as a fallback, it is an Experiment with a completed report whose metric
rows are written directly, with numbers that agree with each other.
"""
import importlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rundb.models import (
    AnalysisMetrics,
    Experiment,
    ExperimentAnalysisSettings,
    LibMetrics,
    QualityMetrics,
    ReportStorage,
    Results,
    TFMetrics,
)

from .builtin import SAMBA_32

log = logging.getLogger(__name__)

DEMO_EXP_NAME = "R_2024_01_15_10_00_00_user_DEMO-1-Demo_run"
DEMO_RIG = "DemoS5"


def simulator_hook():
    """``pipeline.simulate.create_demo_run`` when that module exists, else None."""
    try:
        module = importlib.import_module("pipeline.simulate")
    except ImportError:
        return None
    return getattr(module, "create_demo_run", None)


def create_demo_run(*, use_simulator=True):
    """Create the demo run unless it exists; returns (Experiment, created)."""
    existing = Experiment.objects.filter(expName=DEMO_EXP_NAME).first()
    if existing is not None:
        return existing, False
    hook = simulator_hook() if use_simulator else None
    if hook is not None:
        try:
            return hook(), True
        except Exception:  # a broken simulator must not stop the server from starting
            log.exception("pipeline.simulate.create_demo_run failed; writing the demo rows directly")
    return _demo_rows(), True


@transaction.atomic
def _demo_rows():
    storage = ReportStorage.objects.filter(default=True).first() or ReportStorage.objects.first()
    if storage is None:
        storage = ReportStorage.objects.create(
            name="Home", default=True, webServerPath=settings.ION_REPORT_WEB_ROOT, dirPath=str(settings.ION_REPORT_ROOT)
        )
    folder = settings.ION_RESULTS_ROOT / DEMO_RIG / DEMO_EXP_NAME
    now = timezone.now()
    exp = Experiment.objects.create(
        expName=DEMO_EXP_NAME, displayName="Demo run", unique=str(folder), expDir=str(folder), pgmName=DEMO_RIG,
        chipType="520", flows=500, cycles=500 // len(SAMBA_32), flowsInOrder=SAMBA_32, platform="S5",
        status="run", ftpStatus="Complete", runMode="single", storage_options="A", date=now, resultDate=now,
        notes="Demo data created by 'manage.py demo_data'", sequencekitname="Ion S5 Sequencing Kit",
    )
    eas = ExperimentAnalysisSettings.objects.create(
        experiment=exp, barcodeKitName="IonXpress", libraryKey="TCAG", tfKey="ATCG", reference="",
        libraryKitName="Ion Xpress Plus Fragment Library Kit", status="run", isEditable=False, date=now,
        threePrimeAdapter="ATCACCGACTGCCCATAGAGAGGCTGAGAC",
    )
    result = Results.objects.create(
        experiment=exp, eas=eas, reportstorage=storage, resultsName="Auto_user_DEMO-1-Demo_run", status="Completed",
        processedflows=500, processedCycles=exp.cycles, framesProcessed=0, analysisVersion="demo",
        timeToComplete="0", timeStamp=now, metaData={"demo": True},
    )
    result.reportLink = f"{storage.webServerPath}/{result.resultsName}_{result.pk:03d}/"
    result.runid = "DEMO1"
    result.save(update_fields=["reportLink", "runid"])
    exp.repResult = result
    exp.save(update_fields=["repResult"])
    _metrics(result)
    return exp


def _metrics(result):
    # A small 520 run: 1.2 M final library reads of ~180 bp mean.
    wells, beads, live, lib, tf = 11_000_000, 8_200_000, 8_000_000, 7_900_000, 100_000
    final = 1_200_000
    q0_bases, q17_bases, q20_bases = final * 180, final * 165, final * 150
    AnalysisMetrics.objects.create(
        report=result, total=wells, bead=beads, live=live, lib=lib, tf=tf, libLive=lib, tfLive=tf,
        libKp=lib - 300_000, tfKp=tf - 5_000, libFinal=final, tfFinal=60_000, empty=wells - beads - 500_000,
        pinned=100_000, ignored=400_000, dud=beads - live, loading=round(100.0 * beads / wells, 1),
        lib_pass_basecaller=final, lib_pass_cafie=final, adjusted_addressable=wells,
        sysCF=0.6, sysIE=0.5, sysDR=0.1,
    )
    QualityMetrics.objects.create(
        report=result, q0_reads=final, q0_bases=q0_bases, q0_mean_read_length=180.0, q0_median_read_length=182,
        q0_mode_read_length=190, q0_max_read_length=320, q0_50bp_reads=1_150_000, q0_100bp_reads=1_050_000,
        q0_150bp_reads=850_000, q17_reads=final, q17_bases=q17_bases, q17_mean_read_length=165.0,
        q17_median_read_length=168, q17_mode_read_length=175, q17_max_read_length=310, q17_50bp_reads=1_120_000,
        q17_100bp_reads=1_000_000, q17_150bp_reads=780_000, q20_reads=final, q20_bases=q20_bases,
        q20_mean_read_length=150, q20_median_read_length=155, q20_mode_read_length=160, q20_max_read_length=300,
        q20_50bp_reads=1_100_000, q20_100bp_reads=950_000, q20_150bp_reads=700_000,
    )
    LibMetrics.objects.create(
        report=result, totalNumReads=final, aveKeyCounts=95.0, sysSNR=22.5, cf=0.6, ie=0.5, dr=0.1,
        raw_accuracy=99.1, genome="none", align_sample=0,
    )
    TFMetrics.objects.create(
        report=result, name="TF_1", number=60_000, keypass=95_000, aveKeyCount=90.0, SysSNR=25.0,
        Q10Mean=95.0, Q17Mean=90.0, Q10ReadCount=58_000, Q17ReadCount=55_000,
    )
