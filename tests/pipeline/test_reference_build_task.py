"""pipeline.tasks.build_reference (run in-process here; tests/browser/test_configure_references.py
runs it in a real worker): a queued row ends complete or error, the staged upload is removed,
and a failed build is a returned outcome, never an exception (eager mode raises into requests)."""
import pytest

from pipeline.tasks import build_reference
from rundb.models import ReferenceGenome

pytestmark = pytest.mark.django_db


def staged(tmp_path, text):
    folder = tmp_path / "staging"
    folder.mkdir()
    path = folder / "upload.fasta"
    path.write_text(text)
    return folder, path


def test_queued_row_is_built(settings, tmp_path):
    settings.ION_REFERENCE_ROOT = tmp_path / "refs"
    ReferenceGenome.objects.create(short_name="tk1", name="Task genome", status="queued")
    folder, path = staged(tmp_path, ">c1\n" + "ACGTAGGCTA" * 30 + "\n")
    out = build_reference.apply(args=["tk1", str(path), "Task genome", str(folder)]).get()
    assert out == {"short_name": "tk1", "status": "complete", "error": ""}
    row = ReferenceGenome.objects.get(short_name="tk1")
    assert row.status == "complete" and row.name == "Task genome"
    assert (tmp_path / "refs" / "tk1" / "tk1.fasta").is_file()
    assert not folder.exists()


def test_bad_fasta_ends_in_error(settings, tmp_path):
    settings.ION_REFERENCE_ROOT = tmp_path / "refs"
    ReferenceGenome.objects.create(short_name="tk2", status="queued")
    folder, path = staged(tmp_path, "no header here\n")
    out = build_reference.apply(args=["tk2", str(path), "", str(folder)]).get()
    assert out["status"] == "error" and out["error"]
    row = ReferenceGenome.objects.get(short_name="tk2")
    assert row.status == "error" and row.verbose_error
    assert not folder.exists()
