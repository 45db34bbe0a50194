"""Preclassified output: one BAM per barcode plus nomatch, with the right read groups."""
import json

import pysam

from pipeline.simulate import load_barcode_kit, simulate_run
from pipeline.simulate.truth import read_truth


def test_per_barcode_bams_and_read_groups(tmp_path, barcode_kit_file):
    kit = load_barcode_kit(barcode_kit_file, name="IonXpress")
    run = simulate_run(tmp_path / "R_2024_01_02_03_04_05_user_pre", reads=600, barcode_kit=kit,
                       barcodes={"IonXpress_001": 2, "IonXpress_005": 1, "IonXpress_009": 1},
                       preclassified=True, seed=4, flows=220, genome_size=20_000,
                       samples={"IonXpress_001": "S1"})
    out = run.run_dir / "basecaller_results"
    assert not (out / "rawlib.basecaller.bam").exists()
    truth = {t["name"]: t for t in read_truth(run.truth_path)}
    params = json.loads(run.params_path.read_text())
    for bc in ("IonXpress_001", "IonXpress_005", "IonXpress_009", "nomatch"):
        path = out / f"{bc}_rawlib.basecaller.bam"
        with pysam.AlignmentFile(str(path), check_sq=False) as fh:
            rgs = fh.header.to_dict()["RG"]
            assert [r["ID"] for r in rgs] == [f"{run.run_id}.{bc}"]
            rg = rgs[0]
            assert rg["PL"] == "IONTORRENT" and rg["FO"] == params["flow_order"]
            if bc != "nomatch":
                b = next(x for x in params["barcodes"] if x["id_str"] == bc)
                assert rg["KS"] == "TCAG" + b["sequence"] + b["adapter"]
            else:
                assert rg["KS"] == "TCAG"
            names = []
            for a in fh:
                names.append(a.query_name)
                t = truth[a.query_name]
                assert a.get_tag("RG") == rg["ID"] == t["read_group"]
                assert t["barcode"] == bc
                # Barcoded reads are trimmed; nomatch reads keep their junk prefix.
                if bc == "nomatch":
                    prefix = a.query_sequence[: int(t["prefix_len"])]
                    assert prefix in params["nomatch_prefixes"]
                else:
                    assert t["prefix_len"] == "0"
            assert len(names) == params["reads_per_barcode"][bc]
    assert rgs and params["read_groups"][f"{run.run_id}.IonXpress_001"]["read_count"] > 0
    with pysam.AlignmentFile(str(out / "IonXpress_001_rawlib.basecaller.bam"),
                             check_sq=False) as fh:
        assert fh.header.to_dict()["RG"][0]["SM"] == "S1"
    # Barcode weights 2:1:1 show in the counts.
    per = params["reads_per_barcode"]
    assert per["IonXpress_001"] > max(per["IonXpress_005"], per["IonXpress_009"])
