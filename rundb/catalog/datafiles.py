"""Readers for the project's own data folder, rundb/catalog/data/ (format: its README.md).

Plain Python (no Django), so scripts and benchmarks can read a barcode kit without settings.
"""
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLES_DIR = DATA_DIR / "tables"
API_CONTRACT = DATA_DIR / "api_v1_contract.jsonl"
PLUGIN_FILES = DATA_DIR / "plugin_files.json"


class DataFileError(ValueError):
    """A file of the data folder does not follow the format."""


def table_paths(folder=TABLES_DIR):
    return sorted(Path(folder).glob("*.jsonl"))


def read_table(path):
    """(header, rows) of one table; each row a dict of the table's fields.

    Kit-wide values (``same``) are merged into every row, ``derived`` columns are computed,
    and cells of ``optional`` columns that hold null are left out (the field is not given).
    References stay natural-key values as written (see :func:`fixture_objects`).
    """
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    if not lines:
        raise DataFileError(f"{path}: empty table (a header line is required)")
    try:
        header = json.loads(lines[0])
        raw_rows = [json.loads(line) for line in lines[1:]]
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not JSON lines: {exc}") from exc
    columns = header.get("columns") if isinstance(header, dict) else None
    if not isinstance(columns, list) or not isinstance(header.get("model"), str):
        raise DataFileError(f"{path}: the header line needs 'model' and 'columns'")
    same = header.get("same", {})
    optional = set(header.get("optional", ()))
    derived = header.get("derived", {})
    rows = []
    for n, cells in enumerate(raw_rows, start=2):
        if not isinstance(cells, list) or len(cells) != len(columns):
            raise DataFileError(f"{path}: line {n}: expected a list of {len(columns)} values")
        row = dict(same)
        for name, value in zip(columns, cells):
            if value is None and name in optional:
                continue
            row[name] = value
        for name, rule in derived.items():
            if rule != "len(sequence)":
                raise DataFileError(f"{path}: unknown derived rule {rule!r}")
            row[name] = len(row.get("sequence") or "")
        rows.append(row)
    return header, rows


def fixture_objects(folder=TABLES_DIR):
    """Every table as Django-fixture-shaped objects for the catalog importer.

    Reference values become one-element natural keys (``["SEQ0001"]``), as ``dumpdata
    --natural-foreign`` writes them; ``links`` columns become objects of the through table.
    """
    objects = []
    for path in table_paths(folder):
        header, rows = read_table(path)
        refs = header.get("refs", {})
        links = header.get("links", {})
        key = header.get("key") or []
        for row in rows:
            fields = {}
            for name, value in row.items():
                if name in links:
                    continue
                fields[name] = [value] if name in refs and value is not None else value
            objects.append({"model": header["model"], "fields": fields})
            for name, link in links.items():
                for target in row.get(name) or []:
                    objects.append({"model": link["through"],
                                    "fields": {link["from"]: [row[key[0]]], link["to"]: [target]}})
    return objects


def barcode_kits(folder=TABLES_DIR):
    """{kit name: [barcode rows sorted by index]} of every rundb.dnabarcode table."""
    kits = {}
    for path in table_paths(folder):
        header, rows = read_table(path)
        if header["model"] != "rundb.dnabarcode":
            continue
        for row in rows:
            kits.setdefault(row["name"], []).append(row)
    for rows in kits.values():
        rows.sort(key=lambda r: (r["index"], r["id_str"]))
    return kits


def barcode_kit(name, folder=TABLES_DIR):
    """The barcodes of one kit (plain dicts: name, id_str, index, sequence, adapter ...)."""
    kits = barcode_kits(folder)
    if name not in kits:
        raise DataFileError(f"no barcode kit {name!r} in {folder} (kits: {', '.join(sorted(kits))})")
    return kits[name]


def api_contract(path=API_CONTRACT):
    """The v1 REST API contract: {resource name: {name, title, endpoint, schema, allowed_methods,
    fields: [{name, type, nullable, readonly, blank, unique, default, help}], example_kinds}}.

    ``example_kinds`` gives the JSON kind ("dict", "list", "bool", "int", "float", "str", "null")
    of each field in the reference's example response: where the reference's declared type says
    "string", the example shows what its clients really receive.
    """
    with open(path, encoding="utf-8") as fh:
        meta, *resources = [json.loads(line) for line in fh if line.strip()]
    columns, flags, type_help = meta["field_columns"], meta["flags"], meta["type_help"]
    out = {}
    for res in resources:
        fields = []
        for cells in res["fields"]:
            raw = dict(zip(columns, cells))
            field = {"name": raw["name"], "type": raw["type"]}
            field.update({name: letter in raw["flags"] for letter, name in flags.items()})
            field["default"] = raw["default"]
            field["help"] = raw.get("help", type_help[raw["type"]])
            fields.append(field)
        out[res["name"]] = {
            "name": res["name"], "title": res["title"], "endpoint": res["endpoint"],
            "schema": res["endpoint"] + "schema/", "allowed_methods": res["methods"], "fields": fields,
            "example_kinds": res.get("example_kinds", {}),
        }
    return out


def plugin_files(path=PLUGIN_FILES):
    """What the SDK documents of startplugin.json and barcodes.json (examples, documented keys)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
