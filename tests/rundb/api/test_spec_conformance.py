"""Every resource of the SDK reference (``api_spec``) against the running API, one test per resource.

For each of the 87 resources: the list answers (GET as admin), ``schema/`` names every reference
field with the reference's type, every reference field appears in list and detail output with a
value of the right JSON type, and the allowed methods match. ``test_conformance_count`` prints
"N of 87 fully conformant" and fails if the count drops below what this branch reached.
"""
import pytest

from rundb.api.api import v1_api
from rundb.api.fields import JSONField

from . import spec_world
from .test_spec_fields import _example_object, _type_ok, world  # noqa: F401  (world is a fixture)

SPEC_NAMES = [
    "activeioncheflibraryprepkitinfo", "activeionchefprepkitinfo", "activelibrarykitinfo",
    "activepgmlibrarykitinfo", "activepgmsequencingkitinfo", "activeprotonlibrarykitinfo",
    "activeprotonsequencingkitinfo", "activesequencingkitinfo", "analysisargs", "analysismetrics",
    "applicationgroup", "applproduct", "availableionchefplannedexperiment",
    "availableionchefplannedexperimentsummary", "availableonetouchplannedexperiment",
    "availableonetouchplannedexperimentsummary", "availableplannedexperimentsummary", "chip",
    "clusterinfohistory", "common_cv", "compositedatamanagement", "compositeexperiment", "compositeresult",
    "content", "contentupload", "datamanagementhistory", "dnabarcode", "emailaddress", "eventlog",
    "experiment", "experimentanalysissettings", "filemonitor", "fileserver", "floworder", "globalconfig",
    "ionchefplantemplate", "ionchefplantemplatesummary", "ionchefprepkitinfo", "ionmeshnode", "kitinfo",
    "kitpart", "libmetrics", "librarykey", "librarykitinfo", "librarykitpart", "location", "log", "message",
    "monitordata", "monitorresult", "network", "onetouchplantemplate", "onetouchplantemplatesummary",
    "plannedexperiment", "plannedexperimentdb", "plannedexperimentqc", "plantemplatebasicinfo",
    "plantemplatesummary", "plugin", "pluginresult", "PluginResultJob", "project", "projectresults",
    "publisher", "qctype", "qualitymetrics", "referencegenome", "results", "rig", "runtype", "sample",
    "sampleannotation_cv", "sampleattribute", "sampleattributedatatype", "samplegrouptype_cv",
    "sampleprepdata", "sampleset", "samplesetitem", "samplesetiteminfo", "sequencingkitinfo",
    "sequencingkitpart", "supportupload", "template", "tfmetrics", "threeprimeadapter", "torrentsuite",
    "user",
]
# Action resources answer with one object instead of a list envelope.
SINGLE_OBJECT = {"torrentsuite", "network"}
# Methods of the reference this server refuses on purpose (README "Security model"): creating a
# plugin row through the list endpoint would let a client point it at code; plugins are
# installed from a zip by an administrator (plugin/install/).
REFUSED_METHODS = {"plugin": {"post"}}
# Query parameters a list needs to show every reference field (results: pluginState/Store
# appear in lists only with ?plugin=true, as in the original).
LIST_PARAMS = {"results": {"plugin": "true"}}


@pytest.fixture
def full_world(world, admin):  # noqa: F811  (the imported fixture)
    """The shared data set plus a row for every resource that needs one of its own."""
    spec_world.populate(admin[0], world)
    return world


def problems_of(name, api, spec):
    """Every way resource ``name`` departs from its reference entry (empty list: conformant)."""
    listing = api.get(f"{name}/", {"limit": 1, **LIST_PARAMS.get(name, {})})
    if listing.status_code != 200:
        return [f"list gave {listing.status_code} {listing.content[:200]!r}"]
    body = listing.json()
    problems = []
    if name in SINGLE_OBJECT:
        rows = [("list", body)]
    else:
        objects = body.get("objects")
        if not objects:
            return ["list has no object to check"]
        rows = [("list", objects[0])]
        uri = objects[0].get("resource_uri")
        if uri:
            detail = api.get(uri)
            if detail.status_code != 200:
                problems.append(f"detail {uri} gave {detail.status_code}")
            else:
                rows.append(("detail", detail.json()))
    schema_response = api.get(f"{name}/schema/")
    if schema_response.status_code != 200:
        return problems + [f"schema gave {schema_response.status_code}"]
    schema = schema_response.json()
    ours = schema.get("fields", {})
    example = _example_object(spec)
    json_fields = {key: ("json" if isinstance(f, JSONField) else None)
                   for key, f in v1_api._registry[name].fields.items()} if name in v1_api._registry else {}
    for field in spec["fields"]:
        fname = field["name"]
        if fname not in ours:
            problems.append(f"schema lacks {fname}")
        elif not _schema_type_ok(ours[fname]["type"], field["type"]):
            problems.append(f"schema type of {fname}: spec {field['type']}, ours {ours[fname]['type']}")
        for where, row in rows:
            if fname not in row:
                problems.append(f"{where} lacks {fname}")
            elif not _type_ok(row[fname], field, spec["example_kinds"], json_fields) and \
                    not _as_example(row[fname], fname, example):
                problems.append(f"{where}.{fname}: spec type {field['type']}, got {row[fname]!r:.80}")
    allowed = set(schema.get("allowed_list_http_methods", [])) | set(schema.get("allowed_detail_http_methods", []))
    expected = set(spec["allowed_methods"]) - REFUSED_METHODS.get(name, set())
    if allowed != expected and not (name in SINGLE_OBJECT and allowed <= {"get"}):
        problems.append(f"methods: spec {sorted(spec['allowed_methods'])}, ours {sorted(allowed)}")
    return problems


def _as_example(value, name, example):
    # The reference's example row shows what clients receive; a value of the same JSON type
    # conforms even where the declared type differs (e.g. "string" flags that hold booleans).
    if name not in example or example[name] is None:
        return False
    return type(value) is type(example[name]) or (
        isinstance(value, (int, float)) and isinstance(example[name], (int, float))
        and not isinstance(value, bool) and not isinstance(example[name], bool))


def _schema_type_ok(ours, spec_type):
    # JSON columns: the reference calls them "string" but they carry objects; ours say "dict".
    return ours == spec_type or (spec_type == "string" and ours == "dict")


def test_the_list_is_the_reference(api_spec):
    assert sorted(api_spec) == sorted(SPEC_NAMES)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_resource_conforms(name, api, api_spec, full_world):
    problems = problems_of(name, api, api_spec[name])
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


# Raised as resources become conformant; the count must never go down.
CONFORMANT_FLOOR = 87


def test_conformance_count(api, api_spec, full_world, capsys):
    failing = {}
    for name in SPEC_NAMES:
        found = problems_of(name, api, api_spec[name])
        if found:
            failing[name] = found
    count = len(SPEC_NAMES) - len(failing)
    with capsys.disabled():
        print(f"\nAPI v1 conformance: {count} of {len(SPEC_NAMES)} resources fully conformant")
        for name, found in sorted(failing.items()):
            print(f"  {name}: {found[0]}" + (f" (+{len(found) - 1} more)" if len(found) > 1 else ""))
    assert count >= CONFORMANT_FLOOR

