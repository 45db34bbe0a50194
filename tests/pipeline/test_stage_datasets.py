"""datasets_basecaller.json, the barcode `filtered` rule, barcodes.json (the format plugins read)."""
from pipeline.stages.datasets import apply_barcode_filter, barcodes_json, build_datasets, count_bam
from pipeline.stages.smallbam import write_bam

KIT = [{"id_str": f"BC{i}", "sequence": s, "adapter": "GAT", "index": i}
       for i, s in enumerate(["CTAAGGTAAC", "TAAGGAGAAC", "AAGAGGATTC", "TACCAAGATC"], 1)]


def counts(**n):
    return {k: {"read_count": v, "total_bases": 100 * v, "Q20_bases": 90 * v} for k, v in n.items()}


def test_filtered_rule_composite(tmp_path):
    ds = build_datasets("R1", barcode_kit=KIT, counts=counts(BC1=10000, BC2=100, BC3=101, BC4=5, nomatch=7),
                        samples={"BC4": "S4"})
    apply_barcode_filter(ds, filter_frequency=0.01, filter_minreads=10)
    g = ds["read_groups"]
    assert g["R1.BC2"]["filtered"] is True
    assert g["R1.BC3"]["filtered"] is False
    assert g["R1.BC4"]["filtered"] is False  # has a sample name
    assert g["R1.BC1"]["filtered"] is False
    assert "filtered" not in g["R1.nomatch"]


def test_empty_barcodes_are_filtered_and_controls_never():
    kit = KIT[:2] + [dict(KIT[2], controlType="NTC")]
    ds = apply_barcode_filter(build_datasets("R1", barcode_kit=kit, counts=counts(BC1=50)))
    assert ds["read_groups"]["R1.BC2"]["filtered"] is True
    assert ds["read_groups"]["R1.BC3"]["filtered"] is False


def test_layout_barcoded_and_not():
    ds = build_datasets("R1", barcode_kit=KIT, counts=counts(BC1=3, nomatch=2), reference="hg19",
                        platform_unit="PGM/314/X")
    names = [d["dataset_name"] for d in ds["datasets"]]
    assert names[0] == "nomatch" and names[1:] == ["BC1", "BC2", "BC3", "BC4"]
    d1 = ds["datasets"][1]
    assert d1["file_prefix"] == "BC1_rawlib" and d1["basecaller_bam"] == "BC1_rawlib.basecaller.bam"
    g = ds["read_groups"]["R1.BC1"]
    assert g["read_count"] == 3 and g["Q20_bases"] == 270 and g["platform_unit"] == "PGM/314/X/BC1"
    assert g["barcode"]["barcode_sequence"] == "CTAAGGTAAC" and g["reference"] == "hg19"
    assert ds["read_groups"]["R1.nomatch"]["reference"] == ""
    nb = build_datasets("R1", counts=counts(rawlib=4))
    assert nb["datasets"][0]["file_prefix"] == "rawlib" and list(nb["read_groups"]) == ["R1"]


def test_barcodes_json_seed_format(tmp_path):
    ds = apply_barcode_filter(build_datasets("R1", barcode_kit=KIT, counts=counts(BC1=2000, BC3=5, nomatch=1),
                                             samples={"BC1": "First Sample name"}))
    bj = barcodes_json(ds, "/r", aligned=True, reference="hg19", reference_fullpath="/ref/hg19.fasta",
                       barcode_kit=KIT)
    assert list(bj) == ["BC1"]  # BC2-4 filtered, nomatch never listed
    e = bj["BC1"]
    seed_keys = {"aligned", "bam_file", "bam_filepath", "barcode_adapter", "barcode_annotation",
                 "barcode_description", "barcode_index", "barcode_name", "barcode_sequence", "barcode_type",
                 "control_sequence_type", "filtered", "genome_urlpath", "hotspot_filepath", "nucleotide_type",
                 "read_count", "reference", "reference_fullpath", "sample", "sample_id", "target_region_filepath"}
    assert set(e) == seed_keys
    assert e["bam_file"] == "BC1_rawlib.bam" and e["bam_filepath"] == "/r/BC1_rawlib.bam"
    assert e["barcode_index"] == 1 and e["read_count"] == 2000 and e["sample"] == "First Sample name"
    assert "BC3" in barcodes_json(ds, "/r", include_filtered=True)
    nb = barcodes_json(build_datasets("R1", counts=counts(rawlib=4)), "/r")
    assert list(nb) == ["nonbarcoded"] and nb["nonbarcoded"]["bam_file"] == "rawlib.bam"


def test_count_bam_per_read_group(tmp_path):
    rgs = ({"ID": "R1.A", "SM": "a"}, {"ID": "R1.B", "SM": "b"})
    reads = [{"seq": "ACGTA", "qual": [30, 30, 10, 20, 19], "tags": {"RG": "R1.A"}},
             {"seq": "AC", "qual": [40, 40], "tags": {"RG": "R1.B"}},
             {"seq": "ACG", "qual": [5, 5, 25], "tags": {"RG": "R1.A"}}]
    c = count_bam(write_bam(tmp_path / "c.bam", reads, read_groups=rgs))
    assert c["read_count"] == 3 and c["total_bases"] == 10 and c["Q20_bases"] == 6
    assert c["read_groups"]["R1.A"] == {"read_count": 2, "total_bases": 8, "Q20_bases": 4}


def test_count_bam_matches_pysam_on_many_chunks(tmp_path):
    """Q20 counts over many small chunks, reads without tags (qualities end the record and
    the chunk), missing qualities (0xFF) and a secondary record (not counted)."""
    import random

    import pysam

    rnd = random.Random(3)
    reads = []
    for i in range(400):
        n = rnd.randrange(0, 60)
        r = {"name": f"R:{i:05d}:00000", "seq": "".join(rnd.choice("ACGT") for _ in range(n)),
             "qual": None if i % 17 == 0 else [rnd.choice((2, 19, 20, 35)) for _ in range(n)], "tags": {}}
        if i == 200:
            r["flag"] = 4 | 0x100
        reads.append(r)
    path = write_bam(tmp_path / "m.bam", reads, read_groups=())
    c = count_bam(path, chunk_bytes=500)
    q20 = bases = n_prim = 0
    with pysam.AlignmentFile(str(path), check_sq=False) as f:
        for r in f:
            if r.flag & 0x900:
                continue
            n_prim += 1
            bases += r.query_length
            q20 += sum(q >= 20 for q in (r.query_qualities or []))
    assert (c["read_count"], c["total_bases"], c["Q20_bases"]) == (n_prim, bases, q20)
    assert n_prim == 399 and q20 > 0
