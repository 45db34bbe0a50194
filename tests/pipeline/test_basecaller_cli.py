"""The basecaller command line on a simulated flowgram run, with fixed phasing."""
import json

import pysam

from pipeline.basecaller.cli import main
from pipeline.simulate import simulate_run


def test_cli_basecalls(tmp_path, capsys):
    run = simulate_run(tmp_path / "R_2024_01_02_03_04_05_user_bc", fmt="wells", reads=150,
                       tf_reads=5, flows=100, seed=8, genome_size=10_000, insert_mean=50,
                       insert_sd=10, cf=0.005, ie=0.004, dr=0.001, noise=0.05)
    out = tmp_path / "basecaller_results"
    status = main([str(run.run_dir / "sigproc_results"), str(out), "--run-id", "ZZZZZ",
                   "--phasing", "0.005,0.004,0.001", "--min-read-length", "20"])
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["phasing"] == {"CF": 0.005, "IE": 0.004, "DR": 0.001}
    report = json.loads((out / "BaseCaller.json").read_text())
    assert report["Phasing"]["estimated"] is False
    with pysam.AlignmentFile(str(out / "rawlib.basecaller.bam"), check_sq=False) as fh:
        names = [a.query_name for a in fh]
    assert summary["lib_valid"] == len(names) >= 140
    assert all(n.startswith("ZZZZZ:") for n in names)
