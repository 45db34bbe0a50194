"""The reference catalog (barcode kits, chips, kits, keys, flow orders, run types) and the
importer for the original server's fixture files. Import from here."""
from .importer import FixtureError, ImportReport, import_fixture_file, import_objects, read_fixture
from .loader import CatalogReport, default_fixtures_dir, fixture_files, load_catalog

__all__ = [
    "CatalogReport", "FixtureError", "ImportReport", "default_fixtures_dir", "fixture_files", "import_fixture_file",
    "import_objects", "load_catalog", "read_fixture",
]
