"""Fill a fresh database with the reference catalog; safe to run at every start."""
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import datafiles
from .builtin import builtin_objects
from .importer import FixtureError, import_fixture_file, import_objects

FIXTURES_ENV = "ION_TS_FIXTURES_DIR"


def extra_fixtures_dir():
    """A lab's own fixture folder to import at every start (settings.ION_TS_FIXTURES_DIR), or None."""
    configured = settings.ION_TS_FIXTURES_DIR
    return Path(configured) if configured else None


@dataclass
class CatalogReport:
    data_dir: Path
    fixtures_dir: Path | None = None  # a lab's extra fixture folder, when one is configured
    fixtures_found: bool = False
    reports: list = field(default_factory=list)  # one ImportReport per source

    def total(self, kind):
        return sum(r.total(kind) for r in self.reports)

    @property
    def warnings(self):
        if self.fixtures_dir is None or self.fixtures_found:
            return []
        return [
            f"{FIXTURES_ENV} is set to {self.fixtures_dir}, which is not a folder: no extra fixture files "
            "were imported (the project's own catalog was loaded). Fix or unset it, or run "
            "'python manage.py import_ts_fixtures FILE...'."
        ]


def fixture_files(folder):
    return sorted(p for p in Path(folder).glob("*.json") if p.is_file())


def load_catalog(fixtures_dir=None):
    """Create whatever catalog rows are missing; existing rows are left as they are.

    Sources, in order: the project's data folder (every barcode kit, chip, kit, run type ...
    see rundb/catalog/data/README.md); then, if given or configured (``ION_TS_FIXTURES_DIR``),
    a lab's own Torrent Suite fixture files; then the built-in rows for this site (paths,
    library keys). User accounts are never imported here. An explicitly given folder that
    does not exist is an error; a configured one that does not exist only yields a warning.
    """
    explicit = fixtures_dir is not None
    folder = Path(fixtures_dir) if explicit else extra_fixtures_dir()
    found = folder is not None and folder.is_dir()
    if explicit and not found:
        raise FixtureError(f"fixtures folder {folder} does not exist")
    report = CatalogReport(data_dir=datafiles.DATA_DIR, fixtures_dir=folder, fixtures_found=found)
    try:
        objects = datafiles.fixture_objects()
    except (OSError, datafiles.DataFileError) as exc:
        raise FixtureError(f"the project's catalog data cannot be read: {exc}") from exc
    report.reports.append(import_objects(objects, source=f"project data ({datafiles.TABLES_DIR})", update=False))
    if found:
        for path in fixture_files(folder):
            report.reports.append(import_fixture_file(path, update=False))
    report.reports.append(import_objects(builtin_objects(), source="built-in catalog", update=False))
    return report
