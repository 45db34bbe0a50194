"""Bring the catalog of an old Torrent Suite server over from its Django-fixture JSON files."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rundb.catalog import FixtureError, fixture_files, import_objects, read_fixture


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import barcode kits, chips, kits, flow orders, adapters, run types, application groups and "
        "templates from the original server's fixture files (FILE may be a folder of *.json). Rows are "
        "matched by natural key and updated in place; each file is one transaction. User accounts are "
        "skipped unless --include-users is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--include-users",
            action="store_true",
            help="also import auth.user objects (existing accounts keep their password and privileges)",
        )
        parser.add_argument(
            "--keep-existing", action="store_true", help="only create missing rows; never change existing ones"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")

    def handle(self, *args, files, include_users=False, keep_existing=False, dry_run=False, **options):
        paths = []
        for name in files:
            path = Path(name)
            if path.is_dir():
                found = fixture_files(path)
                if not found:
                    raise CommandError(f"{path}: folder holds no *.json files")
                paths.extend(found)
            elif path.exists():
                paths.append(path)
            else:
                raise CommandError(f"{path}: no such file")
        # Read every file first: a broken one stops the import before anything is written.
        try:
            loaded = [(path, read_fixture(path)) for path in paths]
        except FixtureError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from exc

        totals = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0, "skipped": 0}
        for path, objects in loaded:
            try:
                report = self._import(objects, str(path), include_users, not keep_existing, dry_run)
            except FixtureError as exc:
                raise CommandError(f"{exc}. This file was not imported.") from exc
            for line in report.lines():
                self.stdout.write(line)
            for kind in totals:
                totals[kind] += report.total(kind)
        summary = ", ".join(f"{kind} {n}" for kind, n in totals.items() if kind != "kept" or n)
        prefix = "Dry run, nothing changed: " if dry_run else "Total: "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary} ({len(loaded)} file(s))"))

    def _import(self, objects, source, include_users, update, dry_run):
        if not dry_run:
            return import_objects(objects, source=source, include_users=include_users, update=update)
        report = None
        try:
            with transaction.atomic():
                report = import_objects(objects, source=source, include_users=include_users, update=update)
                raise _DryRun
        except _DryRun:
            return report
