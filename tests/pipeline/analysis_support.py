"""Helpers for the run_analysis / end-to-end / bad-input tests: simulated instrument runs
dropped into the results root, ingested by the real crawler code, barcode kits and
references in the database. Test modules import what they use from here."""
import shutil
from pathlib import Path

from django.conf import settings

# The plugin tests' helpers (tiny plugin zips, install, a report with experiment and EAS).
import launch_support  # noqa: E402

KIT_NAME = "IonXpress"
RIG = "PGM_sim"
# Small runs: a few thousand reads at most, a 20 kb genome.
SIM_DEFAULTS = {"genome_size": 20_000, "flows": 260, "seed": 11}


def barcode_kit(n=4, name=KIT_NAME):
    """Create the first `n` barcodes of the project's IonXpress kit as dnaBarcode rows of kit
    `name`; returns the simulator's kit dicts."""
    from rundb.catalog.datafiles import barcode_kit as project_kit
    from rundb.models import dnaBarcode

    kit = [{k: b[k] for k in ("id_str", "sequence", "adapter", "index", "name")}
           for b in project_kit("IonXpress")[:n]]
    for b in kit:
        dnaBarcode.objects.get_or_create(
            name=name, id_str=b["id_str"],
            defaults={"sequence": b["sequence"], "adapter": b["adapter"], "index": b["index"], "type": "",
                      "length": len(b["sequence"]), "score_mode": 1, "score_cutoff": 2},
        )
    return [dict(b, name=name) for b in kit]


def simulate(name, *, rig=RIG, kit=None, barcodes=None, root=None, **kwargs):
    """A simulated run folder `<results root>/<rig>/<name>`; returns the SimulatedRun."""
    from pipeline.simulate import simulate_run

    options = dict(SIM_DEFAULTS)
    options.update(kwargs)
    folder = Path(root or settings.ION_RESULTS_ROOT) / rig / name
    return simulate_run(folder, barcode_kit=kit, barcodes=barcodes if kit else None,
                        barcode_kit_name=kit[0]["name"] if kit else None, **options)


def copy_run(template, name, *, rig=RIG):
    """Copy a simulated run folder (built once per module) into the results root."""
    dest = Path(settings.ION_RESULTS_ROOT) / rig / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, dest, symlinks=True)
    return dest


def install_reference_of(run, short_name="simref"):
    from pipeline.references import install_reference

    return install_reference(short_name, run.reference_fasta, replace=True)


def ingest(folder):
    """Ingest one run folder as the crawler does; returns its automatic report (Results)."""
    from pipeline.ingest.runs import ingest_run_folder
    from rundb.models import Results

    outcome = ingest_run_folder(folder)
    assert outcome.action in ("created", "updated"), outcome
    assert outcome.result_id, f"no report started: {outcome}"
    return Results.objects.get(pk=outcome.result_id)


def analyse(result, **kwargs):
    from pipeline.analysis import run_analysis

    outcome = run_analysis(result.pk, **kwargs)
    result.refresh_from_db()
    return outcome


def report_log(result):
    path = Path(result.report_dir) / "ReportLog.html"
    return path.read_text() if path.exists() else ""


def read_truth(run):
    from pipeline.simulate.truth import read_truth as _read

    return _read(run.truth_path)


# -- bad input: a healthy run beside the broken one -----------------------------------------

HEALTHY = "R_2024_01_02_03_04_05_user_healthy"


def copy_beside_healthy(template, name):
    """The healthy run and a second copy of it named `name` (for the test to damage) in the
    results root; returns the second copy's folder."""
    copy_run(template.run_dir, HEALTHY)
    return copy_run(template.run_dir, name)


def make_template(tmp_path_factory, name, **kwargs):
    """Simulate a run once per module outside the results root (copied in by copy_run)."""
    root = tmp_path_factory.mktemp("template")
    options = {"reads": 400, "seed": 2}
    options.update(kwargs)
    return simulate(name, root=root, **options)


def crawl_reports():
    """One real crawl of the results root; {run folder name: its automatic report}."""
    from pipeline.ingest.crawler import crawl_once
    from rundb.models import Results

    crawl = crawl_once()
    reports = {}
    for outcome in crawl.outcomes:
        if outcome.result_id:
            reports[Path(outcome.folder).name] = Results.objects.get(pk=outcome.result_id)
    return crawl, reports


def assert_error(result, fragment):
    """The report ended in a clear Error: status, metaData and log carry the reason."""
    result.refresh_from_db()
    assert result.status.startswith("Error: "), result.status
    reason = (result.metaData or {}).get("error", "")
    assert fragment in reason, reason
    assert result.status[len("Error: "):][:20] == reason[:20]
    log = report_log(result)
    assert f"ERROR: {reason}" in log and "Traceback" in log
    return reason


def assert_healthy_completes(result):
    from rundb.models import LibMetrics

    outcome = analyse(result)
    assert outcome.ok and result.status == "Completed", (result.status, report_log(result))
    assert LibMetrics.objects.get(report=result).totalNumReads == 400
