"""The run folder looks like an instrument's: explog files, basecaller side files."""
import json
import os

from pipeline.simulate import simulate_run


def _explog(path):
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def test_explog_and_side_files(tmp_path):
    run = simulate_run(tmp_path / "R_2024_01_02_03_04_05_user_fold", reads=300, seed=2,
                       flows=200, genome_size=10_000, project="P1", sample="S1",
                       plan_short_id="ABCDE", instrument="S5", tf_reads=10)
    start = _explog(run.run_dir / "explog.txt")
    final = _explog(run.run_dir / "explog_final.txt")
    assert start["Experiment Name"] == "R_2024_01_02_03_04_05_user_fold"
    assert start["Flows"] == "200" and start["Image Map"] == "TACGTACGTCTGAGCATCGATCGATGTACAGC"
    assert start["Start Time"] == "01/02/2024 03:04:05"          # S5 date format
    assert start["Platform"] == "S5" and start["ChipType"] == "530"
    assert start["barcodeId"] == "none" and start["Library"] == "simref"
    assert start["Planned Run Short ID"] == "ABCDE" and start["Project"] == "P1"
    assert start["LibraryKeySequence"] == "TCAG"
    assert set(start) < set(final) and "End Time" in final
    # explog_final.txt is the completion marker: nothing in the run folder is newer.
    newest = max(p.stat().st_mtime_ns for p in run.run_dir.rglob("*")
                 if p.is_file() and "simulation" not in p.parts)
    assert (run.run_dir / "explog_final.txt").stat().st_mtime_ns == newest

    out = run.run_dir / "basecaller_results"
    bc = json.loads((out / "BaseCaller.json").read_text())
    assert bc["Phasing"] == {"CF": 0.006, "IE": 0.004, "DR": 0.001}
    assert bc["Filtering"]["ReadDetails"]["lib"]["valid"] == 300
    assert bc["Filtering"]["ReadDetails"]["lib"]["failed_keypass"] == 3
    assert bc["Filtering"]["ReadDetails"]["tf"]["valid"] == 10
    stats = dict(line.split(" = ") for line in (out / "analysis.bfmask.stats").read_text()
                 .splitlines()[1:])
    params = json.loads(run.params_path.read_text())
    wells = params["chip"]["wells"]
    assert int(stats["Total Wells"]) == params["chip"]["rows"] * params["chip"]["cols"]
    assert int(stats["Library Beads"]) == wells["lib"] + wells["badkey"]
    assert int(stats["Bead Wells"]) == sum(wells[k] for k in ("lib", "tf", "dud", "badkey"))
    trace = (out / "avgNukeTrace_TCAG.txt").read_text().splitlines()
    assert [line.split()[0] for line in trace] == ["0", "1", "2", "3", "4", "5", "6",
                                                    "T", "C", "A"]
    assert os.path.exists(out / "avgNukeTrace_ATCG.txt")
