"""The reference catalog (barcode kits, chips, kits, keys, flow orders, run types) and the
importer for the original server's fixture files. Import from here."""
from .importer import FixtureError, ImportReport, import_fixture_file, import_objects, read_fixture  # noqa: F401
from .loader import CatalogReport, default_fixtures_dir, fixture_files, load_catalog  # noqa: F401
