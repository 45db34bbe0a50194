"""Every field the SDK reference lists for a resource is present with the reference's JSON type."""
import datetime

import pytest

from rundb.api.api import v1_api
from rundb.api.fields import JSONField

from . import spec_world

RESOURCES = [
    "experiment", "results", "compositeexperiment", "compositeresult", "plannedexperiment",
    "experimentanalysissettings", "libmetrics", "qualitymetrics", "analysismetrics", "tfmetrics", "plugin",
    "pluginresult", "PluginResultJob", "dnabarcode", "chip", "kitinfo", "kitpart", "librarykey",
    "threeprimeadapter", "floworder", "runtype", "referencegenome", "rig", "fileserver", "location",
    "globalconfig", "project", "sample", "sampleset", "samplesetitem", "applicationgroup", "user", "eventlog",
    "message", "content", "torrentsuite", "template", "qctype", "plannedexperimentqc", "samplegrouptype_cv",
    "publisher", "contentupload",
]


@pytest.fixture
def world(db, api, admin, catalog):
    return spec_world.base(api, admin[0])


EXAMPLE_KINDS = {"dict": dict, "list": list}
# A value of each JSON kind the contract's example_kinds names (rundb/catalog/datafiles.py).
EXAMPLE_VALUES = {"dict": {}, "list": [], "bool": True, "int": 0, "float": 0.5, "str": "", "null": None}


def _example_object(spec):
    """The reference's example row, reduced to one value of the right JSON kind per field."""
    return {name: EXAMPLE_VALUES[kind] for name, kind in spec["example_kinds"].items()}


def _type_ok(value, field, example_kinds, ours):
    kind = field["type"]
    if value is None:
        return field["nullable"] or kind in ("related",) or field.get("readonly")
    shown = EXAMPLE_KINDS.get(example_kinds.get(field["name"]))
    # The reference types JSON columns as "string" while its example shows objects: follow the
    # example (example_kinds of the project's contract), or our schema when the example has no row.
    if shown is not None and isinstance(value, shown):
        return True
    if kind == "string" and ours.get(field["name"]) == "json" and isinstance(value, (dict, list)):
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, str) and datetime.datetime.fromisoformat(value).tzinfo is not None
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "related":
        return isinstance(value, (str, list, dict))
    raise AssertionError(f"unknown spec type {kind}")


def _problems(name, api, api_spec):
    spec = api_spec.get(name)
    if spec is None:
        return []
    if name == "torrentsuite":
        body = api.get("torrentsuite/").json()
    else:
        listing = api.get(f"{name}/", {"limit": 1})
        if listing.status_code != 200:
            return [f"{name}: list gave {listing.status_code} {listing.content[:200]!r}"]
        objects = listing.json()["objects"]
        if not objects:
            return [f"{name}: no object to check"]
        body = api.get(objects[0]["resource_uri"]).json()
        if body.get("resource_uri") != objects[0]["resource_uri"]:
            return [f"{name}: detail resource_uri differs from the list's"]
    ours = {key: ("json" if isinstance(field, JSONField) else None)
            for key, field in v1_api._registry[name].fields.items()} if name in v1_api._registry else {}
    problems = [f"{name}.{f['name']} missing" for f in spec["fields"] if f["name"] not in body]
    problems += [
        f"{name}.{f['name']}: spec type {f['type']}, got {body[f['name']]!r}"
        for f in spec["fields"] if f["name"] in body and not _type_ok(body[f["name"]], f, spec["example_kinds"], ours)
    ]
    return problems


def test_every_spec_field_has_the_spec_type(api, api_spec, world):
    """One pass over all resources (one data set), reporting every problem at once."""
    problems = [p for name in RESOURCES for p in _problems(name, api, api_spec)]
    assert not problems, "\n".join(problems)


def test_bigint_columns_are_strings(api, world):
    lib = api.get("libmetrics/").json()["objects"][0]
    assert lib["total_mapped_reads"] == "14055892515"
    qm = api.get("qualitymetrics/").json()["objects"][0]
    assert qm["q0_bases"] == "14055892515"
    pr = api.get("pluginresult/").json()["objects"][0]
    assert (pr["size"], pr["inodes"]) == ("32843", "7")


def test_nesting_follows_the_reference(api, world):
    res = api.get(f"results/{world.pk}/").json()
    assert res["reportstorage"]["resource_uri"] == "" and res["reportstorage"]["webServerPath"] == "/output"
    exp = api.get(res["experiment"]).json()
    assert exp["eas_set"][0]["resource_uri"].startswith("/rundb/api/v1/experimentanalysissettings/")
    assert exp["log"] == {"runtype": "AMPS"} and exp["runtype"] == "AMPS"
    pr = api.get("pluginresult/").json()["objects"][0]
    assert pr["plugin_result_jobs"][0]["state"] == "Completed"
    kit = api.get("kitinfo/").json()["objects"][0]
    assert kit["parts"][0]["kit"] == kit["resource_uri"]
