"""End to end, no manual step: a simulated instrument run appears in the results root ->
crawl_once() -> Experiment (linked to its plan), Results and a Queued AnalysisJob -> the job
service (a real `manage.py jobservice` process; local backend, and the real Grid Engine in the
`sge` variant) runs `manage.py run_analysis` -> metric rows -> the plan's plugin at DEFAULT and
LAST runs as grid jobs, reports back over REST to a live server and sees barcodes.json listing
the real per-barcode BAMs and their read counts -> the API (results, libmetrics,
qualitymetrics) with an ApiKey.

The service and its jobs share the test database, so this needs PostgreSQL (skips on SQLite
outside CI, fails in CI).
"""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from analysis_support import barcode_kit, install_reference_of, launch_support, report_log, simulate
from grid_support import service  # noqa: F401  (a fixture)
from pipeline.ingest.crawler import crawl_once
from rundb.api.keys import issue_key
from rundb.models import AnalysisJob, JobState, PlannedExperiment, PluginResultJob, Results

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

PLUGIN = "E2EPlugin"
# Counts the records of every BAM barcodes.json names, once per run level (DEFAULT, then LAST).
PLUGIN_BODY = r'''
import pysam
folder = self.startplugin["runinfo"]["results_dir"]
with open(os.path.join(folder, "barcodes.json")) as fh:
    barcodes = json.load(fh)
seen = {"runlevel": self.startplugin["runplugin"]["runlevel"],
        "run_mode": self.startplugin["runplugin"]["run_mode"],
        "pluginconfig": self.startplugin.get("pluginconfig"), "barcodes": {}}
for name, entry in barcodes.items():
    with pysam.AlignmentFile(entry["bam_filepath"], "rb", check_sq=False) as bam:
        records = sum(1 for r in bam.fetch(until_eof=True) if not (r.flag & 0x900))
    seen["barcodes"][name] = {"read_count": entry["read_count"], "records": records,
                              "bam": entry["bam_filepath"], "aligned": entry["aligned"]}
with open(os.path.join(folder, "seen.jsonl"), "a") as fh:
    fh.write(json.dumps(seen) + "\n")
with open(os.path.join(folder, "E2EPlugin_block.html"), "w") as fh:
    fh.write("<p>%d barcodes</p>" % len(barcodes))
return True
'''


def test_instrument_folder_to_api(service, live_server, client):
    admin = get_user_model().objects.create_superuser("ionadmin", "a@example.com", "ionadmin")
    kit = barcode_kit(3)
    launch_support.install(launch_support.make_plugin_zip(
        Path(service.workdir) / "zips", PLUGIN, PLUGIN_BODY, attrs="runlevels = [RunLevel.DEFAULT, RunLevel.LAST]"))
    PlannedExperiment.objects.create(
        planName="e2e plan", planShortID="E2E01", planGUID="e2e-guid", runType="GENS", barcodeId="IonXpress",
        library="simref", isReusable=False, planStatus="planned",
        selectedPlugins={PLUGIN: {"name": PLUGIN, "userInput": {"source": "plan"}}},
    )
    run = simulate("R_2024_01_02_03_04_05_user_e2e", kit=kit, barcodes=3, reads=1500, seed=31,
                   plan_short_id="E2E01", plan_guid="e2e-guid")
    install_reference_of(run)

    # -- instrument folder -> crawler -> report + queued analysis job -----------------------
    crawl = crawl_once()
    assert not crawl.errors, crawl.as_dict()
    [result_pk] = crawl.reports_started
    result = Results.objects.get(pk=result_pk)
    assert result.experiment.plan.planShortID == "E2E01"
    assert result.eas.selectedPlugins and result.eas.barcodeKitName == "IonXpress"
    job = AnalysisJob.objects.get(result=result)
    assert job.state == JobState.QUEUED
    assert crawl_once().reports_started == []  # idempotent

    # -- job service runs the analysis, which launches the plugin's levels ---------------------
    service.start(ION_NET_LOCATION=live_server.url, ION_API_URL=live_server.url + "/rundb/api/")
    service.wait_for(lambda: AnalysisJob.objects.get(pk=job.pk).state in JobState.FINAL, "analysis job final")
    job.refresh_from_db()
    result.refresh_from_db()
    assert job.state == JobState.COMPLETED and result.status == "Completed", (
        job.state, result.status, report_log(result)[-4000:])
    assert job.exit_code == 0
    assert "status: Completed" in Path(job.stdout_path).read_text()

    def plugin_jobs():
        return list(PluginResultJob.objects.filter(plugin_result__result=result).order_by("pk"))

    service.wait_for(lambda: len(plugin_jobs()) == 2 and all(j.state in JobState.FINAL for j in plugin_jobs()),
                     "plugin jobs final")
    jobs = plugin_jobs()
    assert [(j.run_level, j.state) for j in jobs] == [("default", "Completed"), ("last", "Completed")], [
        Path(j.stdout_path).read_text()[-2000:] for j in jobs if Path(j.stdout_path).exists()]
    assert jobs[0].plugin_result_id == jobs[1].plugin_result_id

    datasets = json.loads((Path(result.report_dir) / "basecaller_results" / "datasets_basecaller.json").read_text())
    counts = {ds["dataset_name"]: ds["read_count"] for ds in datasets["datasets"]}
    lines = (Path(jobs[0].work_dir) / "seen.jsonl").read_text().splitlines()
    assert len(lines) == 2
    for line in lines:
        seen = json.loads(line)
        assert seen["run_mode"] == "pipeline" and seen["pluginconfig"] == {"source": "plan"}
        assert set(seen["barcodes"]) == {"IonXpress_001", "IonXpress_002", "IonXpress_003"}
        for name, info in seen["barcodes"].items():
            assert info["read_count"] == counts[name] == info["records"] > 0
            assert info["aligned"] and Path(info["bam"]) == Path(result.report_dir) / f"{name}_rawlib.bam"

    # -- the API -------------------------------------------------------------------------------
    auth = {"HTTP_AUTHORIZATION": f"ApiKey ionadmin:{issue_key(admin)}"}
    body = client.get(f"/rundb/api/v1/results/{result.pk}/", **auth).json()
    assert body["status"] == "Completed" and body["processedflows"] == 260
    assert len(body["libmetrics"]) == 1 and len(body["qualitymetrics"]) == 1
    lib = client.get(body["libmetrics"][0], **auth).json()
    total = sum(counts.values())
    assert lib["totalNumReads"] == total and lib["genome"] == "simref"
    # the spec types total_mapped_reads as a string (the original's big-integer column)
    assert 0.9 * (total - counts.get("nomatch", 0)) <= int(lib["total_mapped_reads"]) <= total
    quality = client.get(body["qualitymetrics"][0], **auth).json()
    assert quality["q0_reads"] == total and 0 < quality["q20_mean_read_length"] <= quality["q0_mean_read_length"]
    listing = client.get(f"/rundb/api/v1/libmetrics/?report={result.pk}", **auth)
    assert listing.status_code == 200
    assert client.get(f"/rundb/api/v1/results/{result.pk}/").status_code == 401
