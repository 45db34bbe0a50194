"""The project's own data folder (rundb/catalog/data) holds the whole catalog, consistently,
and a bootstrap on an empty database serves every barcode kit through the API."""
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client

from rundb.catalog import datafiles

KIT_SIZES = {"IonXpress": 96, "IonXpressRNA": 16, "IonSet1": 16, "IonCode Barcodes 1-32": 32,
             "Ion SingleSeq Barcode set 1-96": 96}
TABLE_SIZES = {
    "rundb.chip": 15, "rundb.kitinfo": 113, "rundb.kitpart": 253, "rundb.floworder": 7,
    "rundb.threeprimeadapter": 9, "rundb.runtype": 15, "rundb.applicationgroup": 12, "rundb.template": 6,
    "rundb.samplegrouptype_cv": 7, "rundb.sampleannotation_cv": 175, "rundb.common_cv": 32,
    "rundb.sampleattributedatatype": 2, "rundb.applproduct": 59, "rundb.chefpcrplateconfig": 1,
}


def tables():
    """{model: rows} over every table file."""
    out = {}
    for path in datafiles.table_paths():
        header, rows = datafiles.read_table(path)
        out.setdefault(header["model"], []).extend((header, row) for row in rows)
    return out


def test_every_barcode_kit_is_complete():
    kits = datafiles.barcode_kits()
    assert {name: len(rows) for name, rows in kits.items()} == KIT_SIZES
    for name, rows in kits.items():
        assert [r["index"] for r in rows] == list(range(1, len(rows) + 1)), name
        assert len({r["id_str"] for r in rows}) == len(rows), name
        for r in rows:
            assert re.fullmatch("[ACGT]+", r["sequence"]) and r["length"] == len(r["sequence"]), r
    assert [r["id_str"] for r in kits["IonXpress"]] == [f"IonXpress_{i:03d}" for i in range(1, 97)]
    assert kits["IonXpress"][0]["sequence"] == "CTAAGGTAAC" and kits["IonXpress"][0]["adapter"] == "GAT"
    assert {r["type"] for r in kits["IonXpressRNA"]} == {"rna"}


def test_tables_have_their_rows_with_unique_keys_and_resolvable_references():
    data = tables()
    assert {model: len(rows) for model, rows in data.items() if model in TABLE_SIZES} == TABLE_SIZES
    keys = {}
    for model, rows in data.items():
        found = Counter(tuple(row[k] for k in header["key"]) for header, row in rows)
        assert max(found.values()) == 1, (model, found.most_common(1))
        keys[model] = {k[0] for k in found}
    for model, rows in data.items():
        for header, row in rows:
            for name, target in header.get("refs", {}).items():
                if row.get(name) is not None:
                    assert row[name] in keys[target], (model, name, row[name])
            for name, link in header.get("links", {}).items():
                assert set(row[name]) <= keys[link["target"]], (model, name, row[name])
    samba = next(row for _, row in data["rundb.floworder"] if row["name"] == "Ion samba")
    assert samba["flowOrder"] == "TACGTACGTCTGAGCATCGATCGATGTACAGC" and samba["isDefault"]


def test_reader_rejects_a_broken_table(tmp_path):
    bad = tmp_path / "chip.jsonl"
    bad.write_text('{"model":"rundb.chip","key":["name"],"columns":["name","slots"]}\n["520"]\n')
    with pytest.raises(datafiles.DataFileError, match="line 2: expected a list of 2 values"):
        datafiles.read_table(bad)
    bad.write_text('["not a header"]\n')
    with pytest.raises(datafiles.DataFileError, match="header line needs 'model' and 'columns'"):
        datafiles.read_table(bad)


def test_api_contract_has_every_resource():
    contract = datafiles.api_contract()
    assert len(contract) == 87
    chip = contract["chip"]
    assert chip["endpoint"] == "/rundb/api/v1/chip/" and chip["schema"] == "/rundb/api/v1/chip/schema/"
    assert chip["allowed_methods"] == ["get", "post", "put", "delete", "patch"]
    name = next(f for f in chip["fields"] if f["name"] == "name")
    assert (name["type"], name["nullable"], name["unique"], name["help"]) == (
        "string", False, False, "Unicode string data. Ex: \u201cHello World\u201d")
    assert all(set(f) == {"name", "type", "nullable", "readonly", "blank", "unique", "default", "help"}
               for res in contract.values() for f in res["fields"])


@pytest.mark.django_db
def test_bootstrap_on_an_empty_database_serves_every_kit(settings):
    settings.ION_TS_FIXTURES_DIR = settings.ION_ADMIN_USER = ""
    out = io.StringIO()
    call_command("bootstrap", stdout=out, stderr=io.StringIO())
    user, key = re.search(r"API key for (\S+): ([0-9a-f]{40})", out.getvalue()).groups()
    response = Client().get("/rundb/api/v1/dnabarcode/", {"limit": 0},
                            HTTP_AUTHORIZATION=f"ApiKey {user}:{key}")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["meta"]["total_count"] == sum(KIT_SIZES.values())
    assert Counter(o["name"] for o in body["objects"]) == KIT_SIZES
