"""Data > Completed Runs & Reports (/data/) and its CSV export (/data/getCSV.csv)."""
from datetime import datetime, time

from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from rundb.models import Experiment, Project, QualityMetrics, Results, Sample

from ..access import page
from .common import csv_download, human_bases, page_size, render_page

SORTS = {
    "-resultDate": "Reports New→Old", "resultDate": "Reports Old→New",
    "-date": "Run Date New→Old", "date": "Run Date Old→New",
    "expName": "Run Name A-Z", "-expName": "Run Name Z-A",
    "chipType": "Chip Asc.", "-chipType": "Chip Desc.",
    "flows": "No. of Flows Asc.", "-flows": "No. of Flows Desc.",
}
# Column-header sorts beyond the original's Sort: list (every listed column sorts); values
# computed per run from its shown report (the representative one, else the newest).
COLUMN_SORTS = {
    "star": "Starred first", "sample": "Sample A-Z", "status": "Status A-Z",
    "reportName": "Report Name A-Z", "q20": "Q20 Bases Asc.", "output": "Output Asc.",
}
for _key, _label in list(COLUMN_SORTS.items()):
    SORTS.setdefault(_key, _label)
    SORTS.setdefault("-" + _key, _label.replace("A-Z", "Z-A").replace("Asc.", "Desc.").replace("first", "last"))
SORTS["star"], SORTS["-star"] = "Starred last", "Starred first"
PAGE_SIZES = (10, 20, 50, 100)
VIEWS = ("table", "list")
STATUSES = ["Completed", "Progress", "Error", "Other"]


def status_class(status):
    status = status or ""
    if status.startswith("Completed"):
        return "Completed"
    if "Error" in status or status.startswith("Failed"):
        return "Error"
    if status in ("Started", "Queued", "Pending", "Processing", "Running") or status.endswith("ing"):
        return "Progress"
    return "Other"


def _status_q(value, prefix="results__"):
    completed = Q(**{prefix + "status__startswith": "Completed"})
    error = Q(**{prefix + "status__contains": "Error"}) | Q(**{prefix + "status__startswith": "Failed"})
    progress = (Q(**{prefix + "status__in": ["Started", "Queued", "Pending", "Processing", "Running"]})
                | Q(**{prefix + "status__endswith": "ing"})) & ~completed & ~error
    return {"Completed": completed, "Error": error, "Progress": progress,
            "Other": ~completed & ~error & ~progress}.get(value)


def _parse_day(text, end=False):
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def filtered_runs(params):
    """(queryset of Experiment ids, the filter values the form shows again)."""
    qs = Experiment.objects.exclude(status="planned").exclude(expDir="")
    f = {k: params.get(k, "").strip() for k in ("all_text", "date_from", "date_to", "result_status", "project", "star")}
    if f["all_text"]:
        alternatives = [t.strip() for t in f["all_text"].split(" OR ") if t.strip()]
        cond = Q()
        for t in alternatives:
            cond |= (Q(expName__icontains=t) | Q(displayName__icontains=t) | Q(notes__icontains=t)
                     | Q(results__resultsName__icontains=t) | Q(plan__sampleTubeLabel__iexact=t)
                     | Q(plan__planShortID__iexact=t) | Q(chipBarcode__iexact=t))
        qs = qs.filter(cond)
    start, end = _parse_day(f["date_from"]), _parse_day(f["date_to"], end=True)
    if start:
        qs = qs.filter(Q(date__gte=start) | Q(results__timeStamp__gte=start))
    if end:
        qs = qs.filter(Q(date__lte=end) | Q(results__timeStamp__lte=end))
    status_q = _status_q(f["result_status"])
    if status_q is not None:
        qs = qs.filter(status_q)
    else:
        f["result_status"] = ""
    if f["project"]:
        qs = qs.filter(results__projects__name=f["project"])
    if f["star"] in ("1", "true", "on"):
        qs = qs.filter(star=True)
    return qs.values("pk").distinct(), f


def _shown_report_annotations(qs, field):
    """Annotate `_sort` with `field` of each run's shown report (row_for's choice)."""
    newest = Results.objects.filter(experiment=OuterRef("pk")).order_by("-timeStamp", "-pk")
    qs = qs.annotate(_rep=Coalesce(F("repResult_id"), Subquery(newest.values("pk")[:1])))
    if field in ("q20", "output"):
        column = "q20_bases" if field == "q20" else "q0_bases"
        metric = QualityMetrics.objects.filter(report_id=OuterRef("_rep")).order_by("-pk").values(column)[:1]
        return qs.annotate(_sort=Subquery(metric))
    column = {"status": "status", "reportName": "resultsName"}[field]
    return qs.annotate(_sort=Subquery(Results.objects.filter(pk=OuterRef("_rep")).values(column)[:1]))


def _ordered(qs, order):
    key = order.lstrip("-")
    if key not in COLUMN_SORTS or key == "star":
        return qs.order_by(order, "-pk")
    if key == "sample":
        first = Sample.objects.filter(experiments=OuterRef("pk")).order_by("name").values("name")[:1]
        qs = qs.annotate(_sort=Subquery(first))
    else:
        qs = _shown_report_annotations(qs, key)
    expr = F("_sort").desc(nulls_last=True) if order.startswith("-") else F("_sort").asc(nulls_last=True)
    return qs.order_by(expr, "-pk")


def requested_page_size(params):
    try:
        size = int(params.get("per_page", ""))
    except ValueError:
        return None
    return size if size in PAGE_SIZES else None


def run_page(params, *, per_page=None):
    ids, f = filtered_runs(params)
    order = params.get("order_by", "-resultDate")
    if order not in SORTS:
        order = "-resultDate"
    results_qs = Results.objects.select_related("reportstorage", "eas").prefetch_related(
        Prefetch("qualitymetrics", queryset=QualityMetrics.objects.order_by("-pk")), "projects"
    ).order_by("-timeStamp", "-pk")
    runs = (Experiment.objects.filter(pk__in=ids).select_related("plan")
            .prefetch_related(Prefetch("results", queryset=results_qs), "samples"))
    runs = _ordered(runs, order)
    paginator = Paginator(runs, per_page or requested_page_size(params) or page_size())
    page_obj = paginator.get_page(params.get("page"))
    return page_obj, f, order


def row_for(exp, status_filter=""):
    reports = list(exp.results.all())
    if status_filter:
        shown = [r for r in reports if status_class(r.status) == status_filter]
        reports = shown or reports
    rep = next((r for r in reports if r.pk == exp.repResult_id), None) or (reports[0] if reports else None)
    qm = rep.qualitymetrics.all()[0] if rep is not None and rep.qualitymetrics.all() else None
    samples = [s.displayedName or s.name for s in exp.samples.all()]
    sample = samples[0] if len(samples) == 1 else (f"{len(samples)} Samples" if samples else "")
    flows_done = None
    if exp.ftpStatus and exp.ftpStatus.isdigit():
        flows_done = int(exp.ftpStatus)
    details = []
    for r in ([rep] if rep is not None else []) + [r for r in reports if r is not rep]:
        m = r.qualitymetrics.all()[0] if r.qualitymetrics.all() else None
        details.append({"report": r, "representative": r.pk == exp.repResult_id, "reads": m.q0_reads if m else "",
                        "mean_length": round(m.q0_mean_read_length) if m else "",
                        "q20": human_bases(m.q20_bases) if m else "", "output": human_bases(m.q0_bases) if m else ""})
    return {
        "exp": exp, "report": rep, "others": [r for r in reports if r is not rep], "sample": sample,
        "reports": details, "projects": sorted({p.name for r in reports for p in r.projects.all()}),
        "q20": human_bases(qm.q20_bases) if qm else "", "output": human_bases(qm.q0_bases) if qm else "",
        "q20_raw": qm.q20_bases if qm else "", "q0_raw": qm.q0_bases if qm else "",
        "flows_done": flows_done, "status": rep.status if rep else exp.status,
        "status_class": status_class(rep.status) if rep else "Other",
    }


def _view_choice(request):
    """List View | Table View: `?view=` changes it and the session remembers it (the original
    saves the choice server-side too)."""
    asked = request.GET.get("view", "")
    if asked in VIEWS:
        if request.session.get("data_view") != asked:
            request.session["data_view"] = asked
        return asked
    return request.session.get("data_view") if request.session.get("data_view") in VIEWS else "table"


# The sortable columns of the table, in order: (label, ascending key, first-click key).
COLUMNS = [("Star", "star", "-star"), ("Run Name", "expName", "expName"), ("Sample", "sample", "sample"),
           ("Run", "date", "-date"), ("Analysis", "resultDate", "-resultDate"), ("Status", "status", "status"),
           ("Chip", "chipType", "chipType"), ("Report Name", "reportName", "reportName"),
           ("Q20 Bases", "q20", "-q20"), ("Output", "output", "-output")]


def _headers(order, sort_query):
    out = []
    for label, asc, first in COLUMNS:
        desc = "-" + asc
        state = "ascending" if order == asc else "descending" if order == desc else "none"
        target = desc if order == asc else asc if order == desc else first
        out.append({"label": label, "href": f"?{sort_query}&order_by={target}" if sort_query else f"?order_by={target}",
                    "sort": state, "narrow": label in ("Run", "Analysis", "Chip")})
    return out


@page()
def data_page(request):
    view = _view_choice(request)
    page_obj, f, order = run_page(request.GET)
    rows = [row_for(e, f["result_status"]) for e in page_obj.object_list]
    projects = list(Project.objects.order_by("name").values_list("name", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    for key in ("page", "order_by"):
        sort_query.pop(key, None)
    view_query = request.GET.copy()
    for key in ("page", "view"):
        view_query.pop(key, None)
    return render_page(request, "browser/data.html", {
        "rows": rows, "page_obj": page_obj, "filters": f, "order": order, "sorts": SORTS,
        "statuses": STATUSES, "projects": projects, "query": query.urlencode(),
        "sort_query": sort_query.urlencode(), "view": view, "view_query": view_query.urlencode(),
        "headers": _headers(order, sort_query.urlencode()), "page_sizes": PAGE_SIZES,
        "per_page": requested_page_size(request.GET) or page_obj.paginator.per_page,
    }, tab="data", title="Completed Runs & Reports")


@page()
def data_csv(request):
    page_obj, f, _order = run_page(request.GET, per_page=100000)
    response, out = csv_download("metrics")
    out.writerow(["Run Name", "Run Date", "Report Name", "Report Date", "Status", "Chip", "Flows", "Sample",
                  "Q20 Bases", "Total Bases", "Report Link"])
    for exp in page_obj.object_list:
        row = row_for(exp, f["result_status"])
        for rep in ([row["report"]] + row["others"]) if row["report"] else []:
            qms = rep.qualitymetrics.all()
            qm = qms[0] if qms else None
            out.writerow([exp.displayName or exp.expName, exp.date.isoformat(), rep.resultsName, rep.timeStamp.isoformat(),
                          rep.status, exp.chipType, exp.flows, row["sample"], qm.q20_bases if qm else "",
                          qm.q0_bases if qm else "", rep.reportLink])
    return response


@page()
def add_to_project(request, pks):
    """POST /data/results/<pks>/project/ {"projects": [ids]}: add reports to projects (logged
    in each project's event log)."""
    import json

    from django.http import JsonResponse

    from rundb.projects import add_results

    if request.method != "POST":
        return JsonResponse({"error": "Use POST"}, status=405)
    try:
        ids = [int(x) for x in pks.split(",") if x]
        body = json.loads(request.body or b"{}")
        project_ids = [int(x) for x in body.get("projects", [])]
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "Send {\"projects\": [project ids]} for comma-separated report ids"}, status=400)
    reports = list(Results.objects.filter(pk__in=ids))
    projects = list(Project.objects.filter(pk__in=project_ids))
    if len(reports) != len(set(ids)) or len(projects) != len(set(project_ids)) or not projects:
        return JsonResponse({"error": "Unknown report or project id (or no project given)"}, status=400)
    add_results(projects, reports, request.user.get_username())
    return JsonResponse({"results": [r.pk for r in reports], "projects": [p.name for p in projects]})
