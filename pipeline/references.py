"""Reference genomes: install a FASTA so runs naming it (explog `Library:`, plan reference)
are aligned to it, and find an installed one for an analysis.

Layout: `<reference root>/<short_name>/` (reference root = settings.ION_REFERENCE_ROOT,
else `<ION_RESULTS_ROOT>/referenceLibrary`) holding

    <short_name>.fasta       normalised copy: '>name' headers (first word), upper-case
                             IUPAC bases, 60 per line
    <short_name>.fasta.fai   samtools index (pysam.faidx)
    <short_name>.mmi         minimap2 index (mappy, the pipeline's alignment preset)
    <short_name>.info.txt    tab-separated key/value (genome_name, genome_version,
                             index_version, genome_length), as the original's info file

The ReferenceGenome row's `reference_path` is that folder (plugins build
`<reference_path>/<short_name>.fasta` from it); `status` goes `indexing` -> `complete`, or
`error` with `verbose_error` set. Bad input (not FASTA, empty or duplicate contigs, bad
characters) raises ReferenceInstallError before any row or folder is made.
"""
import gzip
import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from rundb.models import ReferenceGenome

log = logging.getLogger(__name__)

STATUS_INDEXING = "indexing"
STATUS_COMPLETE = "complete"
STATUS_ERROR = "error"
LINE_WIDTH = 60
SHORT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_NOT_IUPAC = re.compile(rb"[^ACGTUNRYKMSWBDHV]")


class ReferenceInstallError(Exception):
    """The reference cannot be installed (message says why, for the user)."""


def reference_root():
    configured = getattr(settings, "ION_REFERENCE_ROOT", None)
    return Path(configured) if configured else Path(settings.ION_RESULTS_ROOT) / "referenceLibrary"


def index_version():
    import mappy

    return f"minimap2-{getattr(mappy, '__version__', 'mappy')}"


# -- FASTA normalisation --------------------------------------------------------------------

def _open_fasta(path):
    path = Path(path)
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def normalise_fasta(src, dest):
    """Copy FASTA `src` (plain or gzip) to `dest` normalised; returns [(contig, length)] and
    the sha1 of the sequences. ReferenceInstallError on anything that is not a usable FASTA."""
    contigs, seen = [], set()
    digest = hashlib.sha1()
    name, length, carry, line_no = None, 0, b"", 0

    def finish(out):
        nonlocal carry
        if name is None:
            return
        if carry:
            out.write(carry + b"\n")
            carry = b""
        if length == 0:
            raise ReferenceInstallError(f"contig {name!r} has no sequence")
        contigs.append((name, length))

    try:
        with _open_fasta(src) as fh, open(dest, "wb") as out:
            for line_no, raw in enumerate(fh, start=1):
                line = raw.strip()
                if not line or line.startswith(b";"):
                    continue
                if line.startswith(b">"):
                    finish(out)
                    words = line[1:].split()
                    if not words:
                        raise ReferenceInstallError(f"line {line_no}: a '>' header without a name")
                    try:
                        name = words[0].decode("ascii")
                    except UnicodeDecodeError:
                        raise ReferenceInstallError(f"line {line_no}: contig name is not ASCII") from None
                    if name in seen:
                        raise ReferenceInstallError(f"duplicate contig name {name!r} (line {line_no})")
                    seen.add(name)
                    length = 0
                    out.write(b">" + words[0] + b"\n")
                    digest.update(b">" + words[0] + b"\n")
                    continue
                if name is None:
                    raise ReferenceInstallError("not a FASTA file: the first record does not start with '>'")
                seq = line.upper()
                bad = _NOT_IUPAC.search(seq)
                if bad:
                    char = seq[bad.start():bad.start() + 1].decode("latin-1")
                    raise ReferenceInstallError(f"line {line_no}: {char!r} is not a nucleotide code")
                digest.update(seq)
                length += len(seq)
                carry += seq
                while len(carry) >= LINE_WIDTH:
                    out.write(carry[:LINE_WIDTH] + b"\n")
                    carry = carry[LINE_WIDTH:]
            finish(out)
    except (OSError, EOFError) as exc:  # unreadable, or a truncated gzip
        if isinstance(exc, FileNotFoundError):
            raise ReferenceInstallError(f"FASTA file not found: {src}") from None
        raise ReferenceInstallError(f"cannot read {src}: {getattr(exc, 'strerror', None) or exc}") from None
    if not contigs:
        raise ReferenceInstallError(f"{src} holds no sequences")
    return contigs, digest.hexdigest()


# -- install --------------------------------------------------------------------------------

def _write_info(path, *, short_name, name, version, genome_length):
    lines = [
        ("genome_name", name),
        ("genome_version", version or "1"),
        ("index_version", index_version()),
        ("genome_length", str(genome_length)),
    ]
    path.write_text("".join(f"{k}\t{v}\n" for k, v in lines))


def install_reference(short_name, fasta, *, name=None, version="", species="", source="", notes="",
                      replace=False):
    """Install FASTA `fasta` as reference `short_name`; returns the ReferenceGenome row.

    An existing reference of that short name is an error unless `replace` (then its files
    and row are rebuilt in place).
    """
    short_name = str(short_name or "").strip()
    if not SHORT_NAME_RE.match(short_name):
        raise ReferenceInstallError(
            f"bad short name {short_name!r}: use letters, digits, '_', '.', '-' "
            "(up to 100, not starting with a symbol)")
    existing = ReferenceGenome.objects.filter(short_name=short_name).order_by("pk").first()
    if existing is not None and not replace:
        raise ReferenceInstallError(
            f"reference {short_name!r} is already installed (use replace/--force to rebuild it)")
    root = reference_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{short_name}.", dir=root))
    try:
        fasta_out = staging / f"{short_name}.fasta"
        contigs, identity = normalise_fasta(fasta, fasta_out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    genome_length = sum(n for _, n in contigs)
    with transaction.atomic():
        row = existing or ReferenceGenome(short_name=short_name)
        row.name = name or row.name or short_name
        row.version = version or row.version
        row.species = species or row.species
        row.source = source or row.source or str(fasta)
        row.notes = notes or row.notes
        row.enabled = True
        row.status = STATUS_INDEXING
        row.verbose_error = ""
        row.index_version = index_version()
        row.identity_hash = identity
        row.reference_path = str(root / short_name)
        row.save()
    try:
        _build_indexes(staging, short_name)
        _write_info(staging / f"{short_name}.info.txt", short_name=short_name, name=row.name,
                    version=row.version, genome_length=genome_length)
        final = root / short_name
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{short_name}.old.", dir=root))
            os.replace(final, old / short_name)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        message = f"indexing failed: {exc}"
        ReferenceGenome.objects.filter(pk=row.pk).update(status=STATUS_ERROR, verbose_error=message[:3000])
        raise ReferenceInstallError(f"reference {short_name!r}: {message}") from exc
    ReferenceGenome.objects.filter(pk=row.pk).update(status=STATUS_COMPLETE)
    row.refresh_from_db()
    log.info("installed reference %s (%d contigs, %d bases) in %s", short_name, len(contigs), genome_length,
             row.reference_path)
    return row


def _build_indexes(folder, short_name):
    import pysam

    from pipeline.stages.align import build_index

    fasta = folder / f"{short_name}.fasta"
    pysam.faidx(str(fasta))
    build_index(str(fasta), str(folder / f"{short_name}.mmi"))


# -- lookup for an analysis -----------------------------------------------------------------

@dataclass
class InstalledReference:
    short_name: str
    fasta: str
    mmi: str | None
    row: ReferenceGenome

    def as_stage_arg(self):
        """The `reference` argument of pipeline.stages.run.run_stages."""
        return {"fasta": self.fasta, "mmi": self.mmi, "name": self.short_name,
                "genome_version": self.row.version or None, "index_version": self.row.index_version or None}


def find_installed_reference(short_name):
    """(InstalledReference | None, why-not message). Only an enabled, complete reference
    whose FASTA exists is usable."""
    short_name = (short_name or "").strip()
    if not short_name or short_name.lower() == "none":
        return None, "no reference"
    rows = list(ReferenceGenome.objects.filter(short_name=short_name).order_by("-pk"))
    if not rows:
        return None, f"reference {short_name!r} is not installed"
    for row in rows:
        if not row.enabled or row.status != STATUS_COMPLETE:
            continue
        folder = Path(row.reference_path or reference_root() / short_name)
        fasta = folder / f"{short_name}.fasta"
        if not fasta.is_file():
            continue
        mmi = folder / f"{short_name}.mmi"
        return InstalledReference(short_name, str(fasta), str(mmi) if mmi.is_file() else None, row), ""
    states = ", ".join(f"{'enabled' if r.enabled else 'disabled'}/{r.status or 'no status'}" for r in rows)
    return None, f"reference {short_name!r} has no usable installation ({states}; FASTA must exist)"
