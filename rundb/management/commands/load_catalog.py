"""Create the missing reference-catalog rows (idempotent; existing rows are kept)."""
from django.core.management.base import BaseCommand, CommandError

from rundb.catalog import FixtureError, load_catalog


class Command(BaseCommand):
    help = (
        "Load the reference catalog: the project's data folder (rundb/catalog/data: every barcode kit, "
        "chip, kit, flow order, run type ...), a lab's own fixture files if --fixtures-dir or "
        "ION_TS_FIXTURES_DIR names a folder, and the built-in site rows. Only missing rows are created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixtures-dir", help="also import the Torrent Suite fixture JSON files of this folder")
        parser.add_argument("--verbose-report", action="store_true", help="print per-file, per-model counts")

    def handle(self, *args, fixtures_dir=None, verbose_report=False, **options):
        try:
            report = load_catalog(fixtures_dir)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        if verbose_report:
            for rep in report.reports:
                for line in rep.lines():
                    self.stdout.write(line)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(catalog_summary(report))


def catalog_summary(report):
    from rundb.models import Chip, KitInfo, RunType, dnaBarcode

    kits = dnaBarcode.objects.values("name").distinct().count()
    source = "project data" + (f" + fixtures from {report.fixtures_dir}" if report.fixtures_found else "")
    return (
        f"Catalog ({source}): {report.total('created')} row(s) created; now {kits} barcode kit(s) / "
        f"{dnaBarcode.objects.count()} barcodes, {Chip.objects.count()} chips, {KitInfo.objects.count()} kits, "
        f"{RunType.objects.count()} run types."
    )
