"""The reference catalog (barcode kits, chips, kits, keys, flow orders, run types), loaded from
the project's data folder (``data/``, read by :mod:`.datafiles`), and the importer for a lab's
own Torrent Suite fixture files. Import from here.

Names are resolved on first use, so that ``rundb.catalog.datafiles`` (plain Python) can be
imported by scripts without configuring Django.
"""
from importlib import import_module

_EXPORTS = {
    "FixtureError": ".importer", "ImportReport": ".importer", "import_fixture_file": ".importer",
    "import_objects": ".importer", "read_fixture": ".importer",
    "CatalogReport": ".loader", "extra_fixtures_dir": ".loader", "fixture_files": ".loader",
    "load_catalog": ".loader",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name], __name__), name)
