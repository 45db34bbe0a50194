"""barcodes.json of a non-barcoded report: a single `nonbarcoded` entry."""
from pathlib import Path

import pytest

from launch_support import create_report, write_datasets
from plugin.services.barcodes_json import build_barcodes_json
from rundb.models import ReferenceGenome
from sdk_docs import nonbarcoded_documented_keys

pytestmark = pytest.mark.django_db


def test_documented_keys(plugin_files_doc):
    data = build_barcodes_json(create_report())
    assert list(data) == ["nonbarcoded"]
    assert set(nonbarcoded_documented_keys(plugin_files_doc)) - set(data["nonbarcoded"]) == set()


def test_with_reference_points_at_rawlib_bam():
    ReferenceGenome.objects.create(name="E. coli", short_name="e_coli", index_version="tmap-f3",
                                   reference_path="/refs/e_coli")
    result = create_report(reference="e_coli")
    write_datasets(result, [{"file_prefix": "rawlib", "read_count": 1000, "read_groups": ["ZN2MB"]}],
                   {"ZN2MB": {"read_count": 1000, "sample": "s1"}})
    entry = build_barcodes_json(result)["nonbarcoded"]
    assert entry["aligned"] is True and entry["bam_file"] == "rawlib.bam"
    assert entry["bam_filepath"] == f"{result.report_dir}/rawlib.bam"
    assert entry["read_count"] == 1000 and entry["sample"] == "s1" and entry["sample_id"] == "EXT-1"
    assert entry["genome_urlpath"] == "/auth/output/tmap-f3/e_coli/e_coli.fasta"
    assert entry["reference_fullpath"] == "/refs/e_coli/e_coli.fasta"
    assert entry["filtered"] is False


def test_without_reference_uses_basecaller_bam():
    result = create_report()
    entry = build_barcodes_json(result)["nonbarcoded"]
    assert entry["aligned"] is False and entry["reference"] == ""
    assert entry["bam_file"] == "rawlib.basecaller.bam"
    assert entry["bam_filepath"] == f"{result.report_dir}/basecaller_results/rawlib.basecaller.bam"
    (Path(result.report_dir) / "rawlib.bam").write_bytes(b"")  # the pipeline's unaligned BAM
    assert build_barcodes_json(result)["nonbarcoded"]["bam_filepath"] == f"{result.report_dir}/rawlib.bam"
