"""The simulate command line (what the Django management command wraps)."""
import json

import pysam

from pipeline.simulate.cli import main


def test_cli_writes_a_run(tmp_path, capsys, barcode_kit_file):
    ref = tmp_path / "tiny.fasta"
    ref.write_text(">chrA\n" + "ACGTTGCAAGCTTGACCTGA" * 200 + "\n>chrB\n" + "GGATCCAT" * 300 + "\n")
    out = tmp_path / "R_2024_01_02_03_04_05_user_cli"
    status = main([str(out), "--reads", "200", "--seed", "9", "--flows", "160",
                   "--instrument", "PROTON", "--reference", str(ref),
                   "--barcode-kit-file", str(barcode_kit_file),
                   "--barcode-kit", "IonXpress", "--barcodes", "IonXpress_003,IonXpress_004",
                   "--no-flowgram-tags", "--run-id", "RUN01"])
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["run_id"] == "RUN01" and summary["reference_fasta"] == str(ref)
    explog = (out / "explog.txt").read_text()
    assert "barcodeId: IonXpress" in explog and "Library: tiny" in explog
    assert "Platform: PROTON" in explog and "Start Time: 01/02/2024 03:04:05" in explog
    with pysam.AlignmentFile(summary["outputs"]["bam:rawlib"], check_sq=False) as fh:
        reads = list(fh)
    assert len(reads) == 200
    assert all(not r.has_tag("ZM") and r.query_name.startswith("RUN01:") for r in reads)
    params = json.loads((out / "simulation" / "truth_params.json").read_text())
    assert set(params["reference"]["contigs"]) == {"chrA", "chrB"}
    assert set(params["reads_per_barcode"]) == {"IonXpress_003", "IonXpress_004", "nomatch"}
