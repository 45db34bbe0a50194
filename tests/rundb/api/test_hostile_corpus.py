"""Hostile input gets a 4xx, never a 5xx, on every resource.

Every class of hostile input goes to EVERY writable resource as an administrator (POST to the
list, PATCH / PUT to a real row, PATCH to the list), and a sample of hostile filters, orderings
and paging parameters to EVERY list endpoint. All failures are collected and printed, then
asserted; the number of requests sent is printed (``-s`` shows it).

Classes: NUL characters, unpaired surrogates, deep nesting, bodies over ION_API_MAX_BODY,
NaN / Infinity / 1e400, undecodable bytes, non-object bodies, and wrong JSON types for each
field (string, huge integer, fraction, boolean, list, dict, unknown URI ...)."""
import json

import pytest
from django.utils import timezone
from tastypie import fields as tp

from rundb import models as m
from rundb.api.api import v1_api
from rundb.api.base import IonResource

from . import factories, spec_world

API = "/rundb/api/v1/"
DEEP = "[" * 1000 + "]" * 1000

# Whole bodies (raw text or bytes), sent to POST list, PATCH/PUT detail and PATCH list.
RAW_BODIES = {
    "nul": '{"name": "a\\u0000b", "description": "\\u0000"}',
    "surrogate": '{"name": "\\ud800", "description": "x\\udfff"}',
    "surrogate_key": '{"\\ud800": 1}',
    "deep_value": '{"name": ' + DEEP + "}",
    "deep_body": DEEP,
    "deep_object": '{"a": ' * 1000 + "1" + "}" * 1000,
    "nan": '{"name": NaN, "flows": NaN}',
    "infinity": '{"flows": Infinity, "value": -Infinity}',
    "1e400": '{"flows": 1e400, "name": 1e400}',
    "huge_int": '{"flows": ' + "9" * 5000 + "}",
    "list_body": "[1, 2, 3]",
    "string_body": '"hello"',
    "number_body": "42",
    "null_body": "null",
    "empty": "",
    "truncated": '{"name": "x"',
    "bad_utf8": b'{"name": "\xff\xfe"}',
    "objects_not_list": '{"objects": "x", "deleted_objects": 5}',
    "objects_of_junk": '{"objects": [1, "x", null, [2]], "deleted_objects": [{"a": 1}, 7, "/nope/"]}',
}

# Wrong JSON types / values, each put into one field at a time.
FIELD_VALUES = {
    "string": "not-a-value",
    "huge_int": 10 ** 30,
    "negative": -(2 ** 63) - 1,
    "fraction": 1.5,
    "bool": True,
    "list": [1, "x", None],
    "dict": {"id": [1], "a": {"b": None}},
    "uri": "/rundb/api/v1/nonexistent/1/",
    "long_string": "x" * 20000,
    "empty": "",
}

# Hostile filter values, by lookup; each field of each list endpoint gets a few of them.
FILTERS = [
    ("", "\x00"), ("", "abc"), ("__gt", "1e400"), ("__in", "1,abc,\x00,99999999999999999999"),
    ("__range", "z,a"), ("__range", "1"), ("__regex", "(["), ("__iregex", "*"), ("__year", "abc"),
    ("__date", "2020-13-45"), ("__isnull", "maybe"), ("", "99999999999999999999999"), ("__lt", "-1e400"),
    ("__startswith", "%_\\"), ("", "x" * 5000), ("__exact", "null"), ("__nonsense", "1"),
    ("__year__gte", "-1"), ("__in", ""),
]
PARAMS = [
    {"order_by": "nonexistent"}, {"order_by": "-"}, {"order_by": "__"}, {"order_by": "id,,-id;"},
    {"order_by": "\x00"}, {"limit": "-1"}, {"limit": "abc"}, {"offset": "1e400"},
    {"limit": "99999999999999999999"}, {"offset": "-5"}, {"format": "xml"}, {"format": "\x00"},
    {"\x00": "1"}, {"id__in": "%ED%A0%80"},
]


def populate(admin):
    """At least one row behind every resource (factories plus a few direct rows)."""
    factories.catalog()
    owner, _ = factories.user("owner", groups=["ionusers"])
    res = factories.result()
    pr = factories.plugin_result(res, factories.plugin(), owner, state="Started")
    location = m.Location.objects.create(name="Home")
    m.Rig.objects.create(name="S5one", location=location)
    m.FileServer.objects.create(name="Home", filesPrefix="/results", location=location)
    m.Message.objects.create(body="hello")
    publisher = m.Publisher.objects.create(name="BED", version="1.0", path="/results/publishers/BED")
    upload = m.ContentUpload.objects.create(file_path="/tmp/x.bed", status="done", publisher=publisher)
    m.Content.objects.create(publisher=publisher, contentupload=upload, file="/tmp/x.bed", path="/x.bed")
    project = m.Project.objects.create(name="proj", creator=admin)
    res.projects.add(project)
    sample = m.Sample.objects.create(name="s1", displayedName="s1")
    sample.experiments.add(res.experiment)
    sset = m.SampleSet.objects.create(displayedName="set1")
    m.SampleSetItem.objects.create(sample=sample, sampleSet=sset)
    eas = m.ExperimentAnalysisSettings.objects.create(experiment=res.experiment, reference="hg19",
                                                      barcodeKitName="IonXpress", date=timezone.now())
    res.eas = eas
    res.save()
    plan = m.PlannedExperiment.objects.create(planName="plan1", planDisplayedName="plan1")
    m.PlannedExperimentQC.objects.create(plannedExperiment=plan, qcType=m.QCType.objects.first(), threshold=30)
    m.ReferenceGenome.objects.create(name="hg19", short_name="hg19")
    m.Template.objects.create(name="TF_A", key="ATCG", sequence="TTT")
    m.EventLog.objects.create(text="hello", object_pk=res.pk, username="ionadmin")
    return pr


def _walk_rows(api):
    """{resource name: (resource, detail URI of a real row or None)}."""
    out = {}
    for name, res in sorted(v1_api._registry.items()):
        uri = None
        response = api.get(f"{name}/", {"limit": 1})
        if response.status_code == 200:
            objects = response.json().get("objects") or []
            if objects and objects[0].get("resource_uri"):
                uri = objects[0]["resource_uri"]
        out[name] = (res, uri)
    return out


def _writable_fields(res):
    return [name for name, field in res.fields.items()
            if not field.readonly and name != "resource_uri" and field.attribute is not None
            or (not field.readonly and name != "resource_uri" and hasattr(res, f"hydrate_{name}"))]


def _filter_fields(res):
    return [name for name, field in res.fields.items() if name != "resource_uri" and res.filter_rule(name)]


class Recorder:
    def __init__(self, api):
        self.api = api
        self.sent = 0
        self.failures = []

    def send(self, method, path, body=None, params=None):
        client = self.api.client
        url = path if path.startswith("/") else API + path
        headers = self.api.headers
        self.sent += 1
        shown = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        try:
            if method == "get":
                response = client.get(url, params or {}, **headers)
            else:
                response = getattr(client, method)(url, data=shown, content_type="application/json", **headers)
        except Exception as exc:  # raised through the whole stack: as bad as a 500
            self.failures.append(f"{method.upper()} {url} {params or ''} body={(shown or '')[:150]!r} -> "
                                 f"{type(exc).__name__}: {exc}")
            return None
        if response.status_code == 201 and url.endswith("/account/"):
            # POST account/ issues the caller a new key (the old one stops working): follow it.
            self.api.headers = {"HTTP_AUTHORIZATION": f"ApiKey ionadmin:{response.json()['api_key']}"}
        if response.status_code == 401:
            # The administrator must stay authenticated, or the rest of the corpus tests nothing.
            self.failures.append(f"{method.upper()} {url} {params or ''} -> 401 (lost authentication)")
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url} {params or ''} body={(shown or '')[:150]!r} -> {response.status_code} "
                f"{response.content[:200]!r}")
        return response


@pytest.fixture
def recorder(db, admin, api, settings):
    settings.ION_API_MAX_BODY = 64 * 1024  # a small limit keeps the oversized bodies cheap
    pr = populate(admin[0])
    spec_world.populate(admin[0], pr.result)  # rows of the resources added since (tests/rundb/api/spec_world.py)
    # A OneTouch plan waiting for its run (the available*onetouch* views).
    kit, _ = m.KitInfo.objects.get_or_create(kitType="TemplatingKit", name="Ion 520/530 Kit-OT2",
                                             defaults={"uid": "OT2HOSTILE", "description": "OT2"})
    m.PlannedExperiment.objects.create(planName="ot_plan", planStatus="planned", planShortID="OT002",
                                       templatingKitName=kit.name)
    return Recorder(api)


def test_hostile_corpus_never_5xx(recorder, api):
    """Budget (~3,500 requests, ~20 s of CPU): every raw-body class to every writable resource
    (the method rotating over POST list, PATCH/PUT detail, PATCH list); the oversized body to
    every write target; every value class in all writable fields at once on POST and PATCH
    detail (a rotating third on PUT and PATCH list); every writable field alone on the real
    row, the value class rotating over the fields; one hostile filter per filterable field
    (classes rotating) and half of the paging/ordering parameters on every list endpoint."""
    rows = _walk_rows(api)
    missing_rows = []
    over_limit = '{"name": "' + "x" * (64 * 1024) + '"}'
    raw = list(RAW_BODIES.values())
    values = list(FIELD_VALUES.values())
    turn = 0
    for name, (res, uri) in rows.items():
        meta = res._meta
        fields = _writable_fields(res)
        targets = []
        if "post" in meta.list_allowed_methods:
            targets.append(("post", f"{name}/"))
        detail = [m_ for m_ in ("patch", "put") if m_ in meta.detail_allowed_methods]
        if not isinstance(res, IonResource):
            detail = []
        if detail and uri is None:
            missing_rows.append(name)
        elif detail:
            targets.extend((method, uri) for method in detail)
        if "patch" in meta.list_allowed_methods:
            targets.append(("patch", f"{name}/"))
        if not isinstance(res, IonResource):
            targets = []  # GET-only action endpoints (torrentsuite, getsoftwareinfo)
        for index, body in enumerate(raw):
            # Each raw-body class reaches every writable resource, the method rotating.
            if targets:
                method, path = targets[(index + turn) % len(targets)]
                recorder.send(method, path, body)
        for method, path in targets:
            is_list_patch = method == "patch" and path == f"{name}/"
            primary = method == "post" or (method == "patch" and not is_list_patch)
            turn += 1
            response = recorder.send(method, path, over_limit)
            if response is not None and response.status_code != 413:
                recorder.failures.append(f"{method.upper()} {path} over the body limit -> {response.status_code}")
            for index, value in enumerate(values):
                if not primary and (index + turn) % 3:
                    continue
                if is_list_patch:
                    entry = {f: value for f in fields}
                    if uri:
                        entry["resource_uri"] = uri
                    recorder.send(method, path, {"objects": [entry]})
                else:
                    recorder.send(method, path, {f: value for f in fields})
            if method == "patch" and not is_list_patch:
                # One field at a time on the real row, so one field's 400 cannot hide another's 500.
                for index, field in enumerate(fields):
                    recorder.send(method, path, {field: values[(index + turn) % len(values)]})
    # Filters, orderings and paging on every list endpoint.
    for name, (res, uri) in rows.items():
        if "get" not in res._meta.list_allowed_methods:
            continue
        for index, field in enumerate(_filter_fields(res)):
            lookup, value = FILTERS[(index + turn) % len(FILTERS)]
            recorder.send("get", f"{name}/", params={field + lookup: value})
            if isinstance(res.fields[field], tp.RelatedField) and index % 2 == 0:
                recorder.send("get", f"{name}/", params={f"{field}__id__gt": "abc"})
        for index, params in enumerate(PARAMS):
            if (index + turn) % 2 == 0:
                recorder.send("get", f"{name}/", params=params)
        turn += 1
        recorder.send("get", f"{name}/set/1;%00;abc;99999999999999999999/")
        recorder.send("get", f"{name}/%00/")
        recorder.send("get", f"{name}/99999999999999999999999/")
    print(f"hostile corpus: {recorder.sent} requests sent, {len(recorder.failures)} 5xx")
    for failure in recorder.failures:
        print(failure)
    assert not missing_rows, f"no row to PATCH for {missing_rows}: extend populate()"
    assert not recorder.failures, "\n".join(recorder.failures)


def test_body_limit_is_a_real_413_at_the_default_size(db, api, settings):
    limit = settings.ION_API_MAX_BODY
    assert limit == 10 * 1024 * 1024
    body = '{"name": "' + "x" * limit + '"}'
    response = api.post("location/", raw=body)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]
    assert m.Location.objects.count() == 0


@pytest.mark.parametrize("body, words", [
    ('{"name": "a\\u0000b"}', "NUL"),
    ('{"name": "\\ud800"}', "surrogate"),
    ('{"name": ' + DEEP + "}", "nested"),
    ('{"name": "x", "comments": NaN}', "NaN"),
    ('{"name": "x", "comments": 1e400}', "range"),
])
def test_hostile_body_messages(db, api, body, words):
    response = api.post("location/", raw=body)
    assert response.status_code == 400
    assert words in json.dumps(response.json()["error"])


def test_job_state_must_be_a_string(db, api, admin):
    res = factories.result(metrics=False)
    pr = factories.plugin_result(res, factories.plugin(), admin[0], state="Started")
    job = pr.plugin_result_jobs.get()
    for value in (["Completed"], {"a": 1}, 5, True):
        response = api.patch(f"PluginResultJob/{job.pk}/", {"state": value})
        assert response.status_code == 400, (value, response.content)
        assert "state" in response.json()["error"]
    assert m.PluginResultJob.objects.get(pk=job.pk).state == "Started"


@pytest.mark.parametrize("value", ["/rundb/api/v1/reportstorage/999/", "/rundb/api/v1/reportstorage/abc/",
                                   {"id": [1]}, ["x"], 1.5, "no-such-storage"])
def test_results_reportstorage_bad_reference_is_400(db, api, value):
    res = factories.result(metrics=False)
    response = api.patch(f"results/{res.pk}/", {"reportstorage": value})
    assert response.status_code == 400, response.content
    assert "reportstorage" in response.json()["error"]


@pytest.mark.parametrize("params", [
    {"name": "a\x00b"}, {"name__in": "a,\x00"}, {"\x00": "x"}, {"order_by": "name\x00"},
    {"name__regex": "(["}, {"id": "abc"}, {"id__range": "1"}, {"comments__isnull": "maybe"},
])
def test_hostile_filters_are_400(db, api, params):
    m.Location.objects.create(name="Home")
    response = api.get("location/", params)
    assert response.status_code == 400, response.content
    assert "error" in response.json()


@pytest.mark.parametrize("params", [{"timeStamp__year": "-1"}, {"timeStamp__year__gte": "99999"},
                                    {"timeStamp__date": "99999-01-01"}, {"timeStamp__gt": "2020-01-01T25:00"}])
def test_date_filters_out_of_range_are_400(db, api, params):
    factories.result(metrics=False)
    response = api.get("results/", params)
    assert response.status_code == 400, response.content
    assert "error" in response.json()


@pytest.mark.parametrize("body", [{"sequencekitname": True}, {"chipType": 5}, {"planName": True},
                                  {"librarykitname": -(2 ** 63) - 1}, {"templatingKitName": 1.5}])
def test_plan_text_fields_given_numbers_or_booleans(db, api, admin, body):
    # Plan validation looks kit and chip names up before hydration; a number or boolean there
    # once reached PostgreSQL as UPPER(<number>) and failed.
    plan = m.PlannedExperiment.objects.create(planName="p", planDisplayedName="p")
    for response in (api.post("plannedexperiment/", body), api.patch(f"plannedexperiment/{plan.pk}/", body)):
        assert response.status_code < 500, response.content


# Custom routes that take a body (write routes outside the resources' generic methods).
BODY_ROUTES = ["prepopulatedplanningsession/", "compositeexperiment/show/"]


def test_hostile_input_on_body_routes_and_the_chef_serial_pair(recorder, settings):
    """Every raw-body class, every value class and an oversized body to the custom write routes;
    hostile values in compositeexperiment's chef serial pair; hostile session ids."""
    over_limit = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    for path in BODY_ROUTES:
        for body in RAW_BODIES.values():
            response = recorder.send("post", path, body)
            if response is not None and not (response.status_code < 300 or 400 <= response.status_code < 500):
                recorder.failures.append(f"POST {path} -> {response.status_code}")
        for value in FIELD_VALUES.values():
            recorder.send("post", path, {"planName": value, "value": value})
        response = recorder.send("post", path, over_limit)
        if response is not None and response.status_code != 413:
            recorder.failures.append(f"POST {path} over the body limit -> {response.status_code}")
    for _lookup, value in FILTERS:
        recorder.send("get", "compositeexperiment/", params={"chefReagentsSerialNum": value,
                                                              "chefSolutionsSerialNum": value})
        recorder.send("get", "compositeexperiment/", params={"chefReagentsSerialNum": "R", "chefSolutionsSerialNum": "S",
                                                              "chefStartTime" + _lookup: value})
    for pk in ("%00", "00000000-0000-0000-0000-000000000000", "x" * 300, "..%2F..%2Fetc"):
        recorder.send("get", f"prepopulatedplanningsession/{pk}/")
        recorder.send("delete", f"prepopulatedplanningsession/{pk}/")
    print(f"custom routes: {recorder.sent} requests sent, {len(recorder.failures)} failures")
    assert not recorder.failures, "\n".join(recorder.failures)
