"""run_analysis launches the plan's plugins at their run levels: PRE before the stages,
BLOCK per block (composite runs), DEFAULT after the stages, POST and LAST at the end, in
pipeline mode with the plan's configuration; barcodes.json lists the real per-barcode BAMs."""
import json
from pathlib import Path

import pytest

from analysis_support import analyse, barcode_kit, ingest, launch_support, simulate
from rundb.models import PluginResultJob

pytestmark = pytest.mark.django_db


def _install(tmp_path, name, attrs):
    return launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", name, attrs=attrs))


def _select(result, **user_input):
    eas = result.eas
    eas.selectedPlugins = {n: {"name": n, "userInput": cfg} for n, cfg in user_input.items()}
    eas.save()


def test_levels_in_order_with_plan_config(tmp_path, admin_user):
    _install(tmp_path, "Early", "runlevels = [RunLevel.PRE]")
    _install(tmp_path, "Multi", "runlevels = [RunLevel.DEFAULT, RunLevel.LAST]")
    _install(tmp_path, "Poster", "runlevels = [RunLevel.POST]")
    _install(tmp_path, "Plain", "")
    kit = barcode_kit(2)
    run = simulate("R_2024_01_02_03_04_05_user_levels", kit=kit, barcodes=2, reads=500, seed=6)
    result = ingest(run.run_dir)
    _select(result, Early={}, Multi={"threshold": 7}, Poster={}, Plain={})

    jobs_at = {}

    def record(status):
        jobs_at[status] = list(PluginResultJob.objects.order_by("pk").values_list("plugin_result__plugin__name",
                                                                                "run_level"))
    assert analyse(result, on_status=record).ok, result.status
    # PRE is queued before the stages start; nothing else is
    assert jobs_at["Barcode Classification"] == [("Early", "pre")]
    jobs = list(PluginResultJob.objects.order_by("pk"))
    levels = [(j.plugin_result.plugin.name, j.run_level) for j in jobs]
    assert levels[0] == ("Early", "pre")
    assert [lvl for _, lvl in levels] == sorted((lvl for _, lvl in levels),
                                                key=["pre", "block", "default", "post", "last"].index)
    assert set(levels) == {("Early", "pre"), ("Multi", "default"), ("Plain", "default"), ("Poster", "post"),
                           ("Multi", "last")}
    multi = [j for j in jobs if j.plugin_result.plugin.name == "Multi"]
    assert multi[0].plugin_result_id == multi[1].plugin_result_id  # one run across its levels

    default_job = next(j for j in multi if j.run_level == "default")
    start = json.loads((Path(default_job.work_dir) / "startplugin.json").read_text())
    assert start["runplugin"]["run_mode"] == "pipeline"
    assert start["pluginconfig"] == {"threshold": 7}  # plan configuration wins
    barcodes = json.loads((Path(default_job.work_dir) / "barcodes.json").read_text())
    datasets = json.loads((Path(result.report_dir) / "basecaller_results" / "datasets_basecaller.json").read_text())
    counts = {ds["dataset_name"]: ds["read_count"] for ds in datasets["datasets"]}
    assert set(barcodes) == {"IonXpress_001", "IonXpress_002"}
    for name, entry in barcodes.items():
        assert entry["read_count"] == counts[name] > 0
        assert Path(entry["bam_filepath"]).is_file()


def test_block_level_per_block_of_a_composite_run(tmp_path, admin_user):
    _install(tmp_path, "Blocky", "runlevels = [RunLevel.BLOCK, RunLevel.POST]\n"
                                 "runtypes = [RunType.COMPOSITE]")
    run = simulate("R_2024_01_02_03_04_05_user_blocks", reads=300, seed=9)
    blocks = ["BlockStatus: X0, Y0, W50, H40, AutoAnalyze:1, AnalyzeEarly:1",
              "BlockStatus: X50, Y0, W50, H40, AutoAnalyze:1, AnalyzeEarly:1"]
    for name in ("explog.txt", "explog_final.txt"):
        path = Path(run.run_dir) / name
        path.write_text(path.read_text() + "\n".join(blocks) + "\n")
    result = ingest(run.run_dir)
    assert result.experiment.rawdatastyle == "tiled"
    _select(result, Blocky={})
    assert analyse(result).ok, result.status
    jobs = list(PluginResultJob.objects.order_by("pk"))
    assert [j.run_level for j in jobs] == ["block", "block", "post"]
    assert {Path(j.work_dir).parts[-3] for j in jobs[:2]} == {"block_X0_Y0", "block_X50_Y0"}
    assert len({j.plugin_result_id for j in jobs}) == 1


def test_no_plugins_after_an_error(tmp_path, admin_user):
    _install(tmp_path, "Plain", "")
    run = simulate("R_2024_01_02_03_04_05_user_noplug", reads=200, seed=10)
    bam = Path(run.run_dir) / "basecaller_results" / "rawlib.basecaller.bam"
    bam.write_bytes(bam.read_bytes()[:2000])
    result = ingest(run.run_dir)
    _select(result, Plain={})
    assert not analyse(result).ok
    assert not PluginResultJob.objects.exists()
