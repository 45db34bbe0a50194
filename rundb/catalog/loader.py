"""Fill a fresh database with the reference catalog; safe to run at every start."""
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .builtin import builtin_objects
from .importer import FixtureError, import_fixture_file, import_objects

FIXTURES_ENV = "ION_TS_FIXTURES_DIR"


def default_fixtures_dir():
    """Where the original's fixture files are: setting, environment, or ../shared beside the project."""
    configured = getattr(settings, FIXTURES_ENV, None) or os.environ.get(FIXTURES_ENV)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "shared" / "reference-data" / "ts-fixtures"


@dataclass
class CatalogReport:
    fixtures_dir: Path
    fixtures_found: bool
    reports: list = field(default_factory=list)  # one ImportReport per source

    def total(self, kind):
        return sum(r.total(kind) for r in self.reports)

    @property
    def warnings(self):
        if self.fixtures_found:
            return []
        return [
            f"No fixture files at {self.fixtures_dir}: barcode kits (IonXpress ...) and the full kit list "
            f"were not loaded. Set {FIXTURES_ENV} to the folder holding the original server's fixture "
            "JSON, or run 'python manage.py import_ts_fixtures FILE...'."
        ]


def fixture_files(folder):
    return sorted(p for p in Path(folder).glob("*.json") if p.is_file())


def load_catalog(fixtures_dir=None):
    """Create whatever catalog rows are missing; existing rows are left as they are.

    The original's fixture files (barcode kits, all chips and kits, run types ...) are read
    from ``fixtures_dir`` (default: :func:`default_fixtures_dir`) when that folder exists;
    then the built-in catalog fills the gaps. User accounts in those files are never imported
    here. An explicitly given folder that does not exist is an error; a missing default
    folder only yields a warning in the report.
    """
    explicit = fixtures_dir is not None
    folder = Path(fixtures_dir) if explicit else default_fixtures_dir()
    found = folder.is_dir()
    if explicit and not found:
        raise FixtureError(f"fixtures folder {folder} does not exist")
    report = CatalogReport(fixtures_dir=folder, fixtures_found=found)
    if found:
        for path in fixture_files(folder):
            report.reports.append(import_fixture_file(path, update=False))
    report.reports.append(import_objects(builtin_objects(), source="built-in catalog", update=False))
    return report
