#!/usr/bin/env python
"""Benchmark: the results list/detail API against raw SQL and a minimal .values() baseline.

    .venv/bin/python bench/api_list.py [--results 10000] [--seconds 3]

Uses DATABASE_URL when set (a throw-away test database is created next to it and dropped at the
end), otherwise a temporary SQLite file. Creates N results, each with its four metrics rows,
then times, in this process:

* API list   GET /rundb/api/v1/results/?limit=100 through the whole Django stack (test Client,
             ApiKey header: URL routing, middleware, authentication, paging, JSON);
* API detail GET /rundb/api/v1/results/<pk>/;
* raw SQL    the same 100 rows (all columns) with one cursor query, no JSON;
* baseline   the same 100 rows and fields via .values() (+ one values_list per to-many relation,
             as any correct implementation needs) and json.dumps, without HTTP or auth.

Prints requests/s, API/raw-SQL and API/baseline ratios and queries per request (for several
limits, to show the count does not grow with the page size). Target: list <= 3x the baseline,
<= 10 queries per list request.

Then the nested read models (compositeexperiment: runs with their reports and each report's
metrics; plannedexperiment: plans with their QC thresholds, projects, sample sets; monitorresult
when that resource is registered), for limit 1, 100 and 1000: queries per request (must not
depend on the limit) and API time over a minimal baseline built generically from the resource's
fields: one .values() query per nested relation (the fields the resource shows), joined in
Python, json.dumps. Target: <= 2x. ``--nested-only`` skips the results part.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django():
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="bench-api-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iondb.settings")
    os.environ.setdefault("ION_VAR_DIR", tmp or tempfile.mkdtemp(prefix="bench-api-var-"))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False
    from django.db import connection

    if tmp:
        connection.settings_dict["TEST"]["NAME"] = f"{tmp}/bench-test.sqlite3"
    else:  # never the test database of a test run (create_test_db clobbers its target)
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_api_list"

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection, old_name


def populate(n):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from rundb import models as m
    from rundb.api.keys import issue_key

    user = get_user_model().objects.create_superuser("bench", "", "bench")
    key = issue_key(user)
    storage = m.ReportStorage.objects.create(name="Home", webServerPath="/output",
                                             dirPath="/results/analysis/output", default=True)
    project = m.Project.objects.create(name="bench", creator=user)
    now = timezone.now()
    n_exp = max(1, n // 10)
    exps = m.Experiment.objects.bulk_create(
        [m.Experiment(expName=f"R_{i}", unique=f"/results/S5/R_{i}", expDir=f"/results/S5/R_{i}", chipType="530",
                      flows=500, log={"planned_run_short_id": f"S{i:04d}"[:5]}) for i in range(n_exp)],
        batch_size=1000)
    results = m.Results.objects.bulk_create(
        [m.Results(experiment=exps[i % n_exp], reportstorage=storage, resultsName=f"Auto_R_{i}",
                   status="Completed", timeStamp=now, analysisVersion="db:1,an:1", reportLink=f"/output/Auto_R_{i}/",
                   metaData={"thumb": 1} if i % 2 else {}) for i in range(n)],
        batch_size=1000)
    m.Results.projects.through.objects.bulk_create(
        [m.Results.projects.through(results_id=r.pk, project_id=project.pk) for r in results], batch_size=2000)
    for model, extra in ((m.LibMetrics, {"totalNumReads": 94_000_000, "total_mapped_reads": 14_000_000_000}),
                         (m.QualityMetrics, {"q0_bases": 14_055_892_515, "q0_reads": 93_969_124}),
                         (m.AnalysisMetrics, {"bead": 140_400_602, "total": 164_699_136}),
                         (m.TFMetrics, {"name": "TF_C", "Q10Mean": 92.0})):
        model.objects.bulk_create([model(report=r, **extra) for r in results], batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics, as a live database would have
        cursor.execute("ANALYZE")
    return user, key, results


def baseline_page(limit=100, offset=0):
    """The same list document, built the minimal way: .values() + json.dumps."""
    from rundb import models as m

    fields = [f.attname for f in m.Results._meta.concrete_fields]
    qs = m.Results.objects.order_by("-pk")
    total = qs.count()
    rows = list(qs.values(*fields)[offset:offset + limit])
    ids = [r["id"] for r in rows]
    storage = {s["id"]: s for s in m.ReportStorage.objects.values()}
    related = {}
    for name, model in (("libmetrics", m.LibMetrics), ("tfmetrics", m.TFMetrics),
                        ("analysismetrics", m.AnalysisMetrics), ("qualitymetrics", m.QualityMetrics),
                        ("pluginresults", m.PluginResult)):
        groups = {}
        for owner, pk in model.objects.filter(**{("result_id__in" if name == "pluginresults" else "report_id__in"): ids}) \
                .values_list("result_id" if name == "pluginresults" else "report_id", "pk"):
            groups.setdefault(owner, []).append(f"/rundb/api/v1/{name if name != 'pluginresults' else 'pluginresult'}/{pk}/")
        related[name] = groups
    projects = {}
    for owner, pk in m.Results.projects.through.objects.filter(results_id__in=ids).values_list("results_id",
                                                                                                 "project_id"):
        projects.setdefault(owner, []).append(f"/rundb/api/v1/project/{pk}/")
    objects = []
    for row in rows:
        row["timeStamp"] = row["timeStamp"].isoformat()
        st = storage[row.pop("reportstorage_id")]
        row["reportstorage"] = dict(st, resource_uri="")
        exp = row.pop("experiment_id")
        row["experiment"] = f"/rundb/api/v1/experiment/{exp}/" if exp else None
        eas = row.pop("eas_id")
        row["eas"] = f"/rundb/api/v1/experimentanalysissettings/{eas}/" if eas else None
        for name, groups in related.items():
            row[name] = groups.get(row["id"], [])
        row["projects"] = projects.get(row["id"], [])
        row["resource_uri"] = f"/rundb/api/v1/results/{row['id']}/"
        objects.append(row)
    meta = {"limit": limit, "offset": offset, "total_count": total, "next": None, "previous": None}
    return json.dumps({"meta": meta, "objects": objects}, sort_keys=True)


# ------------------------------------------------------------ nested read models

NESTED = ("compositeexperiment", "monitorresult", "plannedexperiment")


def populate_plans(n, user):
    from rundb import models as m

    qc = [m.QCType.objects.get_or_create(qcName=name, defaults={"defaultThreshold": 30, "maxThreshold": 100})[0]
          for name in ("Bead Loading (%)", "Key Signal (1-100)", "Usable Sequence (%)")]
    project = m.Project.objects.get_or_create(name="bench", defaults={"creator": user})[0]
    plans = m.PlannedExperiment.objects.bulk_create(
        [m.PlannedExperiment(planName=f"plan_{i}", planShortID=f"B{i:04d}"[-5:], chipType="530", isReusable=i % 5 == 0,
                             selectedPlugins={"variantCaller": {"userInput": {"variationtype": "Germ Line"}}},
                             barcodedSamples={}, metaData={}) for i in range(n)], batch_size=1000)
    m.PlannedExperimentQC.objects.bulk_create(
        [m.PlannedExperimentQC(plannedExperiment=p, qcType=t, threshold=30) for p in plans for t in qc],
        batch_size=3000)
    m.PlannedExperiment.projects.through.objects.bulk_create(
        [m.PlannedExperiment.projects.through(plannedexperiment_id=p.pk, project_id=project.pk) for p in plans],
        batch_size=3000)


def _scalars(res):
    from django.core.exceptions import FieldDoesNotExist
    from tastypie import fields as tp

    out = []
    for name, field in res.fields.items():
        if isinstance(field, tp.RelatedField) or not field.attribute or "__" in field.attribute:
            continue
        try:
            model_field = res.model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            continue  # an annotation or a property: not part of a minimal read
        if model_field.concrete and not model_field.is_relation:
            out.append((name, field.attribute))
    return out


def _relations(res):
    from tastypie import fields as tp

    from rundb.api.base import resource_instance

    for name, field in res.fields.items():
        if isinstance(field, tp.RelatedField) and field.attribute:
            yield name, field.attribute, isinstance(field, tp.ToManyField), field.full, \
                resource_instance(field.to_class)


def _query_name(model, attr):
    """The lookup name of relation ``attr`` (an accessor such as ``plannedexperimentqc_set`` too)."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model._meta.get_field(attr).name
    except FieldDoesNotExist:
        for rel in model._meta.related_objects:
            if rel.get_accessor_name() == attr:
                return rel.name
        raise


def _uri(res, pk):
    return "" if res._meta.embedded else f"/rundb/api/v1/{res._meta.resource_name}/{pk}/"


def _level(model, ids, res, path, parent_key):
    """{parent pk: [child dict, ...]} for the objects of ``res`` reached by ``path`` from the page rows."""
    scalars = _scalars(res)
    key = f"{path}__pk" if path else "pk"
    cols = [f"{path}__{attr}" if path else attr for _, attr in scalars]
    rows = list(model.objects.filter(pk__in=ids).values(*dict.fromkeys([parent_key, key, *cols])))
    objs = {}
    for row in rows:
        pk = row[key]
        if pk is not None and pk not in objs:
            objs[pk] = {name: row[col] for (name, _), col in zip(scalars, cols)}
            objs[pk]["resource_uri"] = _uri(res, pk)
    for name, attr, many, full, target in _relations(res):
        attr = _query_name(res.model, attr)
        sub = f"{path}__{attr}" if path else attr
        if full:
            children = _level(model, ids, target, sub, key)
        else:
            children = {}
            for owner, pk in model.objects.filter(pk__in=ids).values_list(key, f"{sub}__pk"):
                if pk is not None:
                    children.setdefault(owner, []).append(_uri(target, pk))
        for pk, data in objs.items():
            found = children.get(pk, [])
            data[name] = found if many else (found[0] if found else None)
    grouped = {}
    for row in rows:
        if row[key] is not None and row[key] in objs:
            bucket = grouped.setdefault(row[parent_key], [])
            if objs[row[key]] not in bucket:
                bucket.append(objs[row[key]])
    return grouped


def nested_baseline(res, limit, request=None):
    """The list document of ``res`` the minimal way: page ids, then one .values() per relation.
    The rows are those the resource lists (its own pre-filter, e.g. monitorresult's recent
    reports), so both sides do the same selection."""
    base = res.get_object_list(request) if request is not None else res._meta.queryset
    model = base.model
    total = base.count()
    ordering = list(base.query.order_by) or ["-pk"]
    ids = list(base.order_by(*ordering).values_list("pk", flat=True)[:limit])
    rows = _level(model, ids, res, "", "pk")
    objects = [rows[pk][0] for pk in ids if pk in rows]
    meta = {"limit": limit, "offset": 0, "total_count": total, "next": None, "previous": None}
    return json.dumps({"meta": meta, "objects": objects}, sort_keys=True, default=str)


def bench_nested(client, connection, seconds):
    from django.test.utils import CaptureQueriesContext

    from rundb.api.api import v1_api

    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="bench")
    print()
    print(f"{'resource':<22}{'limit':>6}{'queries':>9}{'API ms':>10}{'base ms':>10}{'ratio':>8}")
    ok = True
    for name in NESTED:
        res = v1_api._registry.get(name)
        if res is None:
            print(f"{name:<22}  (not registered here: skipped)")
            continue
        counts = []
        for limit in (1, 100, 1000):
            url = f"/rundb/api/v1/{name}/"

            def api_call(limit=limit, url=url):
                response = client.get(url, {"limit": limit})
                assert response.status_code == 200, response.content[:300]
                return response.content

            with CaptureQueriesContext(connection) as ctx:
                body = json.loads(api_call())
            counts.append(len(ctx.captured_queries))
            base = json.loads(nested_baseline(res, limit, request))
            assert [o["id"] for o in base["objects"]] == [o["id"] for o in body["objects"]], name
            _, api_s = rate(api_call, seconds)
            _, base_s = rate(lambda limit=limit: nested_baseline(res, limit, request), seconds)
            ratio = api_s / base_s
            ok = ok and ratio <= 2
            print(f"{name:<22}{limit:>6}{counts[-1]:>9}{api_s * 1000:>10.2f}{base_s * 1000:>10.2f}{ratio:>7.2f}x"
                  f"   ({len(body['objects'])} rows)")
        constant = len(set(counts)) == 1
        ok = ok and constant
        print(f"{'':<22}queries {'constant' if constant else 'GROW WITH THE LIMIT'}: {counts}")
    print("RESULT (nested):", "meets the targets (<= 2x, constant queries)" if ok else "misses a target")
    return ok


def raw_sql_page(cursor, limit=100):
    cursor.execute("SELECT * FROM rundb_results ORDER BY id DESC LIMIT %s", [limit])
    return cursor.fetchall()


def rate(fn, seconds):
    fn()  # warm-up
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= 5:
            return count / elapsed, elapsed / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--plans", type=int, default=2000, help="plans created for the nested part")
    parser.add_argument("--nested-only", action="store_true", help="skip the results list/detail part")
    args = parser.parse_args()

    connection, old_name = setup_django()
    try:
        from django.db import reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        started = time.perf_counter()
        user, key, results = populate(args.results)
        print(f"database: {connection.vendor}; {args.results} results with 4 metrics rows each "
              f"created in {time.perf_counter() - started:.1f}s")
        client = Client(HTTP_AUTHORIZATION=f"ApiKey bench:{key}")
        if args.nested_only:
            populate_plans(args.plans, user)
            bench_nested(client, connection, args.seconds)
            return
        detail_pk = results[len(results) // 2].pk

        def api_list():
            response = client.get("/rundb/api/v1/results/", {"limit": 100})
            assert response.status_code == 200, response.content[:300]
            return response.content

        def api_detail():
            response = client.get(f"/rundb/api/v1/results/{detail_pk}/")
            assert response.status_code == 200, response.content[:300]
            return response.content

        body = json.loads(api_list())
        assert len(body["objects"]) == 100 and body["meta"]["total_count"] == args.results
        base = json.loads(baseline_page())
        assert [o["id"] for o in base["objects"]] == [o["id"] for o in body["objects"]]

        queries = {}
        for limit in (10, 100, 1000):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/rundb/api/v1/results/", {"limit": limit})
                assert response.status_code == 200
            queries[limit] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            api_detail()
        detail_queries = len(ctx.captured_queries)
        reset_queries()

        cursor = connection.cursor()
        list_rps, list_s = rate(api_list, args.seconds)
        detail_rps, detail_s = rate(api_detail, args.seconds)
        raw_rps, raw_s = rate(lambda: raw_sql_page(cursor), args.seconds)
        base_rps, base_s = rate(baseline_page, args.seconds)

        print()
        print(f"{'measure':<34}{'req/s':>10}{'ms/req':>10}")
        for label, rps, sec in (("API list   (?limit=100)", list_rps, list_s),
                                ("API detail", detail_rps, detail_s),
                                ("raw SQL    (same 100 rows)", raw_rps, raw_s),
                                ("baseline   (.values + json.dumps)", base_rps, base_s)):
            print(f"{label:<34}{rps:>10.1f}{sec * 1000:>10.2f}")
        print()
        print(f"API list / raw SQL time:          {list_s / raw_s:6.1f}x")
        print(f"API list / minimal baseline time: {list_s / base_s:6.2f}x   (target <= 3x)")
        print(f"API detail / raw SQL time:        {detail_s / raw_s:6.1f}x")
        print("queries per list request:         " + ", ".join(f"limit={k}: {v}" for k, v in queries.items())
              + "   (target <= 10, constant)")
        print(f"queries per detail request:       {detail_queries}")
        ok = list_s / base_s <= 3 and max(queries.values()) <= 10 and len(set(queries.values())) == 1
        print("RESULT:", "meets the targets" if ok else "misses a target")
        populate_plans(args.plans, user)
        bench_nested(client, connection, args.seconds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
