"""Helpers of the browser tests (tests/browser): sign in, analysed runs, the planning catalog,
polling. A module of its own (not conftest) so imports never pick another folder's conftest."""
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

ADMIN, ADMIN_PW = "ionadmin", "ionadmin"
USER, USER_PW = "labuser", "labuser-pw"


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")

def _missing(message):
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)

def sign_in(page, base, username=ADMIN, password=ADMIN_PW, next_path="/home/"):
    page.goto(f"{base}/login/?next={next_path}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}{next_path}*")
    return page

def analysed_run(name="R_2024_03_04_05_06_07_user_web", *, barcodes=2, reads=600, seed=5, reference=True, fmt="wells"):
    """Simulate, ingest and analyse one run; returns its report (Results)."""
    from analysis_support import analyse, barcode_kit, ingest, install_reference_of, simulate

    kit = barcode_kit(max(barcodes, 1)) if barcodes else None
    run = simulate(name, kit=kit, barcodes=barcodes or None, reads=reads, seed=seed, fmt=fmt)
    if reference:
        install_reference_of(run)
    result = ingest(run.run_dir)
    outcome = analyse(result)
    assert outcome.ok, result.status
    return result

def wait_for(page, check, *, timeout=180, every=2.0, refresh=None):
    """Poll `check()` (refreshing with `refresh()` between tries) until it is true."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the browser")
        if refresh:
            refresh()
        page.wait_for_timeout(every * 1000)

def plan_catalog():
    """Chips, kits, barcode kits (the API tests' catalog), a reference and a run template."""
    from api import factories

    from rundb.models import PlannedExperiment, ReferenceGenome

    factories.catalog()
    ReferenceGenome.objects.create(name="Homo sapiens", short_name="hg19", status="complete")
    ReferenceGenome.objects.create(name="E. coli", short_name="ecoli", status="complete")
    template = PlannedExperiment.objects.create(
        planName="Generic_DNA_template", planDisplayedName="Generic DNA template", isReusable=True,
        chipType="520", templatingKitName="Ion 520/530 Kit-OT2", sequencekitname="Ion S5 Sequencing Kit",
        librarykitname="Ion Xpress Plus Fragment Library Kit", runType="GENS", platform="S5",
        barcodeId="", username="ionadmin", planStatus="planned",
    )
    return template

