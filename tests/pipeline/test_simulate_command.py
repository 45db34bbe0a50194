"""`manage.py simulate_run`: writes an instrument run folder where the crawler looks, prints
it, and rejects bad arguments with a clear message."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from analysis_support import barcode_kit
from pipeline.ingest.runs import ingest_run_folder
from pipeline.references import find_installed_reference

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("simulate_run", *args, stdout=out)
    return out.getvalue().strip()


def test_barcoded_bam_run_under_the_results_root(settings):
    barcode_kit(4)
    folder = Path(_run("--reads", "300", "--barcodes", "2", "--instrument", "PGM_x", "--seed", "3",
                       "--flows", "120", "--genome-size", "5000"))
    assert folder.parent == Path(settings.ION_RESULTS_ROOT) / "PGM_x"
    assert folder.name.startswith("R_") and folder.name.endswith("_user_sim3")
    for rel in ("explog.txt", "explog_final.txt", "basecaller_results/rawlib.basecaller.bam"):
        assert (folder / rel).is_file(), rel
    explog = (folder / "explog_final.txt").read_text()
    assert "barcodeId: IonXpress" in explog and "Flows: 120" in explog and "Platform: PGM" in explog
    outcome = ingest_run_folder(folder)
    assert outcome.action == "created" and outcome.ftpStatus == "Complete" and outcome.result_id


def test_wells_format_json_and_reference_install(tmp_path):
    out = tmp_path / "R_2024_05_06_07_08_09_user_w"
    info = json.loads(_run("--format", "wells", "--reads", "200", "--out", str(out), "--platform", "S5",
                           "--flows", "120", "--genome-size", "5000", "--install-reference", "--json"))
    assert info["run_dir"] == str(out) and info["format"] == "wells" and info["reference_installed"]
    assert (out / "sigproc_results" / "1.wells").is_file()
    assert (out / "sigproc_results" / "analysis.bfmask.bin").is_file()
    assert "Platform: S5" in (out / "explog.txt").read_text()
    assert find_installed_reference("simref")[0] is not None


def test_preclassified(tmp_path):
    barcode_kit(3)
    out = tmp_path / "R_2024_05_06_07_08_09_user_p"
    _run("--reads", "200", "--barcodes", "3", "--preclassified", "--out", str(out), "--flows", "120",
         "--genome-size", "5000")
    names = sorted(p.name for p in (out / "basecaller_results").glob("*_rawlib.basecaller.bam"))
    assert names == ["IonXpress_001_rawlib.basecaller.bam", "IonXpress_002_rawlib.basecaller.bam",
                     "IonXpress_003_rawlib.basecaller.bam", "nomatch_rawlib.basecaller.bam"]


@pytest.mark.parametrize("args, message", [
    (["--barcodes", "2", "--barcode-kit", "NoKit"], "barcode kit 'NoKit' is not in the database"),
    (["--preclassified"], "--preclassified needs --barcodes"),
    (["--reads", "0"], "--reads must be at least 1"),
    (["--instrument", "../up"], "bad instrument name"),
    (["--barcodes", "9"], "kit IonXpress has 4"),
    (["--format", "wells", "--barcodes", "2", "--preclassified"], "cannot simulate: preclassified"),
    (["--flows", "10"], "cannot simulate: flows must be at least 32"),
])
def test_bad_arguments(args, message):
    barcode_kit(4)
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        _run(*args)


def test_refuses_to_overwrite_a_run(tmp_path):
    out = tmp_path / "R_2024_05_06_07_08_09_user_twice"
    _run("--reads", "50", "--out", str(out), "--flows", "64", "--genome-size", "2000")
    with pytest.raises(CommandError, match="already holds a run"):
        _run("--reads", "50", "--out", str(out))


def test_composite_wells_run_with_blocks(tmp_path):
    out = tmp_path / "R_2024_05_06_07_08_09_user_blk"
    _run("--format", "wells", "--blocks", "2x2", "--reads", "200", "--out", str(out), "--platform", "PROTON",
         "--flows", "120", "--genome-size", "5000")
    assert len(list((out / "onboard_results" / "sigproc_results").glob("block_X*_Y*/1.wells"))) == 4
    assert (out / "explog_final.txt").read_text().count("BlockStatus:") == 4
    with pytest.raises(CommandError):
        _run("--blocks", "2x2", "--reads", "50", "--out", str(tmp_path / "bam_blocks"))
