"""`manage.py install_reference SHORT_NAME FASTA`: register a reference genome (normalised
FASTA, .fai, minimap2 index, ReferenceGenome row) so runs naming it are aligned."""
from django.core.management.base import BaseCommand, CommandError

from pipeline.references import ReferenceInstallError, install_reference


class Command(BaseCommand):
    help = "Install a reference genome from a FASTA file (plain or gzip) under <results>/referenceLibrary/."

    def add_arguments(self, parser):
        parser.add_argument("short_name", help="short name runs use (explog 'Library:', plan reference)")
        parser.add_argument("fasta", help="FASTA file (plain or .gz)")
        parser.add_argument("--name", help="descriptive name (default: the short name)")
        parser.add_argument("--genome-version", dest="genome_version", default="", help="genome version")
        parser.add_argument("--species", default="")
        parser.add_argument("--notes", default="")
        parser.add_argument("--force", action="store_true", help="rebuild a reference that is already installed")

    def handle(self, *args, **options):
        try:
            row = install_reference(
                options["short_name"], options["fasta"], name=options["name"], version=options["genome_version"],
                species=options["species"], notes=options["notes"], replace=options["force"],
            )
        except ReferenceInstallError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"reference {row.short_name} installed in {row.reference_path} (status {row.status})")
