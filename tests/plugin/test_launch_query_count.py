"""One launch reads the report's rows once: its query count does not grow with the barcodes."""
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from launch_support import (admin_user, create_report, fast_hasher, install, load_json, write_datasets,  # noqa: F401
                            zips)
from plugin.services.launch import launch_plugin
from rundb.models import GlobalConfig, ReferenceGenome, dnaBarcode

pytestmark = pytest.mark.django_db
KIT = "IonXpress"


def _barcoded_report(n):
    """A report with `n` barcodes in its datasets file, each assigned to a sample with its own
    reference (so every barcode entry resolves a reference row)."""
    names = [f"IonXpress_{i:03d}" for i in range(1, n + 1)]
    for i, name in enumerate(names, 1):
        dnaBarcode.objects.get_or_create(name=KIT, id_str=name, defaults={"index": i, "sequence": "ACGT" * 3,
                                                                          "adapter": "GAT"})
    for ref in ("hg19", "ecoli"):
        ReferenceGenome.objects.get_or_create(short_name=ref, defaults={"name": ref, "reference_path": f"/ref/{ref}",
                                                                        "enabled": True})
    samples = {f"s{i}": {"barcodes": [name], "barcodeSampleInfo": {name: {"reference": ("hg19", "ecoli")[i % 2]}}}
               for i, name in enumerate(names)}
    result = create_report(name=f"Auto_user_bc{n}", barcode_kit=KIT, reference="hg19", barcoded_samples=samples)
    datasets = [{"dataset_name": b, "file_prefix": f"{b}_rawlib", "read_count": 10, "read_groups": [f"ZN2MB.{b}"]}
                for b in names]
    write_datasets(result, datasets, {f"ZN2MB.{b}": {"read_count": 10} for b in names})
    return result


# Queries of one single-level launch on a barcoded report (result, run, key, job, files):
# raise it only for a reason, never because a writer re-reads the report.
MAX_QUERIES = 18


def _launch(plugin, user, result):
    pr = launch_plugin(result, plugin, user=user)
    assert len(pr.launched_jobs) == 1
    return pr


def test_launch_queries_do_not_grow_with_barcodes(admin_user, zips, django_assert_max_num_queries,
                                                  django_assert_num_queries):
    plugin = install(zips("Counted"))
    GlobalConfig.get()  # created on first use: not part of a launch
    few, many = _barcoded_report(2), _barcoded_report(12)
    with CaptureQueriesContext(connection) as first, django_assert_max_num_queries(MAX_QUERIES):
        _launch(plugin, admin_user, few)
    with django_assert_num_queries(len(first.captured_queries)):
        pr = _launch(plugin, admin_user, many)
    barcodes = load_json(Path(pr.launched_jobs[0].work_dir) / "barcodes.json")
    assert len(barcodes) == 12  # every barcode written, none of them read from the database again
    assert {e["reference_fullpath"] for e in barcodes.values()} == {"/ref/hg19/hg19.fasta", "/ref/ecoli/ecoli.fasta"}
