"""The simulator is deterministic for a seed and differs between seeds."""
import gzip

import pysam

from pipeline.simulate import load_barcode_kit, simulate_run


def _records(path):
    with pysam.AlignmentFile(str(path), check_sq=False) as fh:
        return [a.to_string() for a in fh]


def _run(tmp_path, name, seed, kit):
    return simulate_run(tmp_path / name, run_name="R_2024_01_02_03_04_05_user_det", reads=400,
                        barcode_kit=kit, barcodes=3, seed=seed, flows=200, genome_size=20_000)


def test_same_seed_same_output_different_seed_differs(tmp_path, barcode_kit_file):
    kit = load_barcode_kit(barcode_kit_file, name="IonXpress")
    a = _run(tmp_path, "a", 11, kit)
    b = _run(tmp_path, "b", 11, kit)
    c = _run(tmp_path, "c", 12, kit)
    bam = "bam:rawlib"
    assert _records(a.outputs[bam]) == _records(b.outputs[bam])
    assert _records(a.outputs["bam:tf"]) == _records(b.outputs["bam:tf"])
    with gzip.open(a.truth_path, "rt") as fa, gzip.open(b.truth_path, "rt") as fb:
        assert fa.read() == fb.read()
    assert a.reference_fasta.read_text() == b.reference_fasta.read_text()
    assert (a.run_dir / "explog_final.txt").read_text() == \
        (b.run_dir / "explog_final.txt").read_text()
    assert _records(a.outputs[bam]) != _records(c.outputs[bam])
