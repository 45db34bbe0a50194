"""barcodes.json of a barcoded report: documented keys, nomatch/filter rules, order, BAM paths."""
from pathlib import Path

import pytest

from launch_support import create_report, write_datasets
from plugin.services.barcodes_json import build_barcodes_json
from rundb.models import ReferenceGenome, dnaBarcode
from sdk_docs import barcode_documented_keys, barcodes_example

pytestmark = pytest.mark.django_db
KIT = "IonXpress"


@pytest.fixture
def kit():
    for i, seq in ((1, "CTAAGGTAAC"), (2, "TAAGGAGAAC"), (3, "AAGAGGATTC"), (33, "TTCTCATTGAAC")):
        dnaBarcode.objects.create(name=KIT, id_str=f"IonXpress_{i:03d}", index=i, sequence=seq, adapter="GAT")


def _dataset(bc, count, filtered=False, rg_extra=None):
    rg = f"ZN2MB.{bc}"
    return ({"dataset_name": bc, "file_prefix": f"{bc}_rawlib", "read_count": count, "read_groups": [rg]},
            {rg: {"barcode_name": bc, "read_count": count, "filtered": filtered, **(rg_extra or {})}})


def _report(datasets, **kwargs):
    result = create_report(barcode_kit=KIT, **kwargs)
    ds, groups = [], {}
    for d, g in datasets:
        ds.append(d)
        groups.update(g)
    write_datasets(result, ds, groups)
    return result


def test_keys_documented_and_in_sdk_example(plugin_files_doc, kit):
    result = _report([_dataset("IonXpress_001", 20)], reference="hg19")
    entry = build_barcodes_json(result)["IonXpress_001"]
    assert set(barcode_documented_keys(plugin_files_doc)) - set(entry) == set()
    example_keys = set(next(iter(barcodes_example(plugin_files_doc).values())))
    assert example_keys - set(entry) == set()


def test_nomatch_filtered_and_order(kit):
    result = _report([
        _dataset("IonXpress_033", 231321),
        ({"dataset_name": "nomatch", "file_prefix": "nomatch_rawlib", "read_count": 5,
          "read_groups": ["ZN2MB.nomatch"]}, {"ZN2MB.nomatch": {"read_count": 5}}),
        _dataset("IonXpress_002", 3, filtered=True),
        _dataset("IonXpress_001", 20),
    ])
    data = build_barcodes_json(result)
    assert list(data) == ["IonXpress_001", "IonXpress_033"]  # by barcode_index; no nomatch, no filtered
    assert [e["barcode_index"] for e in data.values()] == [1, 33]
    assert data["IonXpress_001"]["read_count"] == 20
    assert data["IonXpress_033"]["barcode_sequence"] == "TTCTCATTGAAC"
    assert data["IonXpress_033"]["barcode_adapter"] == "GAT"
    included = build_barcodes_json(result, include_filtered=True)
    assert list(included) == ["IonXpress_001", "IonXpress_002", "IonXpress_033"]
    assert included["IonXpress_002"]["filtered"] is True


def test_include_filtered_setting(kit, settings):
    settings.PLUGINS_INCLUDE_FILTERED_BARCODES = True
    result = _report([_dataset("IonXpress_002", 3, filtered=True)])
    assert list(build_barcodes_json(result)) == ["IonXpress_002"]


def test_unaligned_without_reference(kit):
    result = _report([_dataset("IonXpress_001", 20)])
    entry = build_barcodes_json(result)["IonXpress_001"]
    assert entry["aligned"] is False and entry["reference"] == "" and entry["genome_urlpath"] == ""
    assert entry["bam_file"] == "IonXpress_001_rawlib.basecaller.bam"
    assert entry["bam_filepath"] == f"{result.report_dir}/basecaller_results/IonXpress_001_rawlib.basecaller.bam"


def test_aligned_with_reference(kit):
    ReferenceGenome.objects.create(name="Homo sapiens hg19", short_name="hg19", index_version="tmap-f3",
                                   reference_path="/results/referenceLibrary/tmap-f3/hg19")
    result = _report([_dataset("IonXpress_001", 20)], reference="hg19")
    (Path(result.report_dir) / "IonXpress_001_rawlib.bam").write_bytes(b"")
    entry = build_barcodes_json(result)["IonXpress_001"]
    assert entry["aligned"] is True
    assert entry["bam_file"] == "IonXpress_001_rawlib.bam"
    assert entry["bam_filepath"] == f"{result.report_dir}/IonXpress_001_rawlib.bam"
    assert entry["reference_fullpath"] == "/results/referenceLibrary/tmap-f3/hg19/hg19.fasta"
    assert entry["reference_full_name"] == "Homo sapiens hg19"
    assert entry["genome_urlpath"] == "/auth/output/tmap-f3/hg19/hg19.fasta"


def test_pipeline_bam_at_report_root_used_when_unaligned(kit):
    result = _report([_dataset("IonXpress_001", 20)])
    (Path(result.report_dir) / "IonXpress_001_rawlib.bam").write_bytes(b"")
    entry = build_barcodes_json(result)["IonXpress_001"]
    assert entry["bam_filepath"] == f"{result.report_dir}/IonXpress_001_rawlib.bam"


def test_sample_overrides(kit):
    samples = {
        "Sample A": {
            "barcodes": ["IonXpress_002"],
            "barcodeSampleInfo": {"IonXpress_002": {
                "nucleotideType": "DNA", "reference": "mm10", "targetRegionBedFile": "/bed/a.bed",
                "hotSpotRegionBedFile": "/bed/hs.bed", "description": "desc", "controlSequenceType": "ERCC Mix 1",
                "controlType": "",
            }},
        },
    }
    # A plan-assigned barcode is reported even when the pipeline filtered it.
    result = _report([_dataset("IonXpress_002", 0, filtered=True)], reference="hg19", barcoded_samples=samples)
    result.experiment.samples.create(name="Sample A", displayedName="Sample A", externalId="EXT-A")
    entry = build_barcodes_json(result)["IonXpress_002"]
    assert entry["sample"] == "Sample A" and entry["sample_id"] == "EXT-A"
    assert entry["filtered"] is False
    assert (entry["reference"], entry["nucleotide_type"], entry["barcode_description"]) == ("mm10", "DNA", "desc")
    assert entry["target_region_filepath"] == "/bed/a.bed" and entry["hotspot_filepath"] == "/bed/hs.bed"
    assert entry["control_sequence_type"] == "ERCC Mix 1"
    assert entry["sse_filepath"] == ""


def test_without_datasets_file_uses_bams_and_plan(kit):
    result = create_report(barcode_kit=KIT, barcoded_samples={"S": {"barcodes": ["IonXpress_003"]}})
    root = Path(result.report_dir)
    (root / "IonXpress_001_rawlib.bam").write_bytes(b"")
    (root / "nomatch_rawlib.bam").write_bytes(b"")
    data = build_barcodes_json(result)
    assert list(data) == ["IonXpress_001", "IonXpress_003"]
    assert data["IonXpress_003"]["sample"] == "S" and data["IonXpress_001"]["read_count"] == 0
