"""On a composite run every job's startplugin.json lists every block folder of the run in
runplugin.block_dirs (PRE, each BLOCK, SEPARATOR, DEFAULT, POST, LAST), and those folders
exist before PRE fires."""
import json
from pathlib import Path

import pytest
from analysis_support import analyse, ingest, launch_support, simulate  # noqa: E402
from rundb.models import PluginResultJob  # noqa: E402

pytestmark = pytest.mark.django_db

ALL_LEVELS = ("runlevels = [RunLevel.PRE, RunLevel.BLOCK, RunLevel.SEPARATOR, RunLevel.DEFAULT, RunLevel.POST, "
              "RunLevel.LAST]\nruntypes = [RunType.COMPOSITE]")


def _start(job):
    return json.loads((Path(job.work_dir) / "startplugin.json").read_text())


def test_every_job_sees_every_block(tmp_path, admin_user):
    launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", "Everywhere", attrs=ALL_LEVELS))
    run = simulate("R_2024_01_02_03_04_05_user_blockdirs", reads=400, fmt="wells", seed=5, blocks=(2, 2))
    result = ingest(run.run_dir)
    assert result.experiment.rawdatastyle == "tiled"
    eas = result.eas
    eas.selectedPlugins = {"Everywhere": {"name": "Everywhere", "userInput": {}}}
    eas.save()
    wells_blocks = sorted(p.parent.name for p in Path(run.run_dir).glob("onboard_results/sigproc_results/block_*/1.wells"))
    assert len(wells_blocks) == 4
    expected = [str(Path(result.report_dir) / name) for name in wells_blocks]

    seen_at_pre = {}

    def at(status):
        if status == "Base Calling":  # right after PRE was launched
            seen_at_pre["dirs"] = [d for d in expected if Path(d).is_dir()]
            seen_at_pre["jobs"] = list(PluginResultJob.objects.values_list("run_level", flat=True))

    assert analyse(result, on_status=at).ok, result.status
    assert seen_at_pre == {"dirs": expected, "jobs": ["pre"]}

    jobs = list(PluginResultJob.objects.order_by("pk"))
    levels = [j.run_level for j in jobs]
    assert levels.count("block") == 4
    assert set(levels) == {"pre", "block", "separator", "default", "post", "last"}
    for job in jobs:
        runplugin = _start(job)["runplugin"]
        assert sorted(runplugin["block_dirs"]) == expected, job.run_level
        assert runplugin["numBlocks"] == 4 and runplugin["run_type"] == "composite"
    block_ids = sorted(_start(j)["runplugin"]["blockId"] for j in jobs if j.run_level == "block")
    assert block_ids == [name[len("block_"):] for name in wells_blocks]
