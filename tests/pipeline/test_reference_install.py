"""install_reference / `manage.py install_reference`: a normalised FASTA, .fai, minimap2 index
and info file under <results>/referenceLibrary/<short_name>/, a complete ReferenceGenome row,
and the analysis finds it."""
import gzip
from pathlib import Path

import mappy
import pysam
import pytest
from django.core.management import call_command

from pipeline.references import find_installed_reference, install_reference, reference_root
from rundb.models import ReferenceGenome

pytestmark = pytest.mark.django_db

SEQ1 = "ACGTTGCAAC" * 30 + "acgtnnRY"
SEQ2 = "GGCATTACGA" * 25


@pytest.fixture
def fasta(tmp_path):
    path = tmp_path / "mini.fa"
    # long header text, a short line width and lower case: all normalised
    path.write_text(f">chrA some description here\n{SEQ1[:100]}\n{SEQ1[100:]}\n\n>chrB\n{SEQ2}\n")
    return path


def test_install_writes_files_and_row(settings, fasta):
    row = install_reference("mini", fasta, name="Mini genome", version="v1")
    folder = Path(settings.ION_RESULTS_ROOT) / "referenceLibrary" / "mini"
    assert reference_root() == folder.parent
    assert row.status == "complete" and row.enabled and row.reference_path == str(folder)
    assert row.name == "Mini genome" and row.index_version.startswith("minimap2-") and row.identity_hash
    text = (folder / "mini.fasta").read_text().splitlines()
    assert text[0] == ">chrA" and all(len(line) <= 60 for line in text)
    with pysam.FastaFile(str(folder / "mini.fasta")) as fa:
        assert list(fa.references) == ["chrA", "chrB"]
        assert fa.fetch("chrA") == SEQ1.upper() and fa.fetch("chrB") == SEQ2
    assert (folder / "mini.fasta.fai").is_file()
    aligner = mappy.Aligner(str(folder / "mini.mmi"))
    assert list(aligner.seq_names) == ["chrA", "chrB"]
    info = dict(line.split("\t") for line in (folder / "mini.info.txt").read_text().splitlines())
    assert info["genome_length"] == str(len(SEQ1) + len(SEQ2)) and info["genome_version"] == "v1"
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging left
    found, note = find_installed_reference("mini")
    assert found.fasta == str(folder / "mini.fasta") and found.mmi == str(folder / "mini.mmi") and note == ""


def test_gzip_input_and_command(settings, fasta, capsys):
    gz = fasta.with_suffix(".fa.gz")
    gz.write_bytes(gzip.compress(fasta.read_bytes()))
    call_command("install_reference", "mini_gz", str(gz), "--species", "synthetic")
    assert "reference mini_gz installed" in capsys.readouterr().out
    row = ReferenceGenome.objects.get(short_name="mini_gz")
    assert row.species == "synthetic" and row.status == "complete"


def test_force_rebuilds_in_place(fasta, tmp_path):
    first = install_reference("mini", fasta)
    other = tmp_path / "other.fa"
    other.write_text(f">chrC\n{SEQ2}\n")
    second = install_reference("mini", other, replace=True)
    assert second.pk == first.pk and ReferenceGenome.objects.filter(short_name="mini").count() == 1
    assert (Path(second.reference_path) / "mini.fasta").read_text().startswith(">chrC\n")
    assert second.identity_hash != first.identity_hash


def test_lookup_of_missing_disabled_or_broken_references(fasta):
    assert find_installed_reference("")[0] is None
    assert "not installed" in find_installed_reference("nope")[1]
    row = install_reference("mini", fasta)
    ReferenceGenome.objects.filter(pk=row.pk).update(enabled=False)
    found, note = find_installed_reference("mini")
    assert found is None and "disabled" in note
    ReferenceGenome.objects.filter(pk=row.pk).update(enabled=True)
    (Path(row.reference_path) / "mini.fasta").unlink()
    found, note = find_installed_reference("mini")
    assert found is None and "FASTA must exist" in note
