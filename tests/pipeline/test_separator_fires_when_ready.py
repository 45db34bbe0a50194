"""SEPARATOR plugins of a composite run fire once, as soon as the separator output exists
(pipeline.analysis.separator_output): for flowgram input when the basecaller has written the
chip's bead-find summary (after the last block, before the stages); for a basecalled run that
brings separator.mask.bin or analysis.bfmask.stats, right after PRE; with neither, before
DEFAULT."""
from pathlib import Path

import pytest

from analysis_support import analyse, ingest, launch_support, simulate
from rundb.models import PluginResultJob

pytestmark = pytest.mark.django_db

SEP = "runlevels = [RunLevel.SEPARATOR, RunLevel.DEFAULT]\nruntypes = [RunType.COMPOSITE]"
BLOCKS = ["BlockStatus: X0, Y0, W50, H40, AutoAnalyze:1, AnalyzeEarly:1",
          "BlockStatus: X50, Y0, W50, H40, AutoAnalyze:1, AnalyzeEarly:1"]


def _levels():
    return list(PluginResultJob.objects.order_by("pk").values_list("run_level", flat=True))


def _select(result):
    result.eas.selectedPlugins = {"Sep": {"name": "Sep", "userInput": {}}}
    result.eas.save()


@pytest.fixture
def sep(tmp_path, admin_user):
    return launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", "Sep", attrs=SEP))


def test_flowgram_run_fires_after_the_last_block_is_separated(sep):
    run = simulate("R_2024_01_02_03_04_05_user_sepwells", reads=400, fmt="wells", seed=7, blocks=(2, 2))
    result = ingest(run.run_dir)
    _select(result)
    stats = Path(result.report_dir) / "basecaller_results" / "analysis.bfmask.stats"
    at_block, at_status = [], []

    def on_block(block_id):
        at_block.append((stats.exists(), _levels()))

    def on_status(status):
        at_status.append((status, stats.exists(), _levels()))

    assert analyse(result, on_block=on_block, on_status=on_status).ok, result.status
    assert at_block and all(levels == [] and not exists for exists, levels in at_block)
    after_basecalling = [entry for entry in at_status if entry[0] not in ("Started", "Base Calling")]
    status, exists, levels = after_basecalling[0]
    assert exists and levels == ["separator"], at_status
    assert _levels() == ["separator", "default"]


def _basecalled_composite(name):
    run = simulate(name, reads=300, seed=9)
    for fname in ("explog.txt", "explog_final.txt"):
        path = Path(run.run_dir) / fname
        path.write_text(path.read_text() + "\n".join(BLOCKS) + "\n")
    return run


def test_basecalled_run_with_instrument_output_fires_after_pre(sep):
    run = _basecalled_composite("R_2024_01_02_03_04_05_user_sepbam")
    for stats in Path(run.run_dir).rglob("analysis.bfmask.stats"):
        stats.unlink()
    (Path(run.run_dir) / "sigproc_results").mkdir(exist_ok=True)
    (Path(run.run_dir) / "sigproc_results" / "separator.mask.bin").write_bytes(b"\0" * 16)
    result = ingest(run.run_dir)
    _select(result)
    first_stage = []

    def on_status(status):
        if status not in ("Started",) and not first_stage:
            first_stage.append(_levels())

    assert analyse(result, on_status=on_status).ok, result.status
    assert first_stage == [["separator"]]
    assert _levels() == ["separator", "default"]


def test_without_separator_output_it_fires_before_default(sep):
    run = _basecalled_composite("R_2024_01_02_03_04_05_user_sepnone")
    for stats in Path(run.run_dir).rglob("analysis.bfmask.stats"):
        stats.unlink()
    result = ingest(run.run_dir)
    _select(result)
    seen = {}

    def on_status(status):
        seen.setdefault(status, _levels())

    assert analyse(result, on_status=on_status).ok, result.status
    assert seen["Uploading Metrics"] == []
    assert _levels() == ["separator", "default"]
