"""install_reference rejects bad input with a clear message and leaves no row or folder:
missing file, not FASTA, empty, contig without sequence, duplicate names, bad characters,
truncated gzip, a bad short name, an existing reference without --force."""
import gzip

import pytest
from django.core.management import CommandError, call_command

from pipeline.references import ReferenceInstallError, install_reference, reference_root
from rundb.models import ReferenceGenome

pytestmark = pytest.mark.django_db

CASES = {
    "not-fasta": (b"hello\nworld\n", "does not start with '>'"),
    "empty": (b"", "holds no sequences"),
    "no-sequence": (b">a\nACGT\n>b\n>c\nAC\n", "contig 'b' has no sequence"),
    "duplicate": (b">a\nACGT\n>a x\nAC\n", "duplicate contig name 'a'"),
    "bad-char": (b">a\nACGT\nAC*T\n", "'*' is not a nucleotide code"),
    "no-name": (b">\nACGT\n", "header without a name"),
    "truncated-gzip": (gzip.compress(b">a\n" + b"ACGT" * 500)[:30], "cannot read"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_fasta(tmp_path, case):
    data, message = CASES[case]
    path = tmp_path / f"{case}.fa"
    path.write_bytes(data)
    with pytest.raises(ReferenceInstallError, match=message.replace("*", r"\*")):
        install_reference("ref1", path)
    assert not ReferenceGenome.objects.exists()
    root = reference_root()
    assert not root.exists() or not list(root.iterdir())


def test_missing_file_and_bad_short_names(tmp_path):
    with pytest.raises(ReferenceInstallError, match="not found"):
        install_reference("ref1", tmp_path / "absent.fa")
    good = tmp_path / "g.fa"
    good.write_text(">a\nACGTACGT\n")
    for name in ("", "../up", "a/b", ".hidden", "x" * 101):
        with pytest.raises(ReferenceInstallError, match="bad short name"):
            install_reference(name, good)
    assert not ReferenceGenome.objects.exists()


def test_existing_reference_needs_force(tmp_path):
    good = tmp_path / "g.fa"
    good.write_text(">a\n" + "ACGTTGCA" * 20 + "\n")
    install_reference("ref1", good)
    with pytest.raises(ReferenceInstallError, match="already installed"):
        install_reference("ref1", good)
    with pytest.raises(CommandError, match="already installed"):
        call_command("install_reference", "ref1", str(good))
    call_command("install_reference", "ref1", str(good), "--force")
    assert ReferenceGenome.objects.filter(short_name="ref1", status="complete").count() == 1
