"""Data > Projects (/data/projects/) and one project's results (/data/project/<pk>/results).

The pages list server-side (paged, a constant number of queries); creating, renaming and
deleting projects goes through the REST API (/rundb/api/v1/project/) from the page's script,
so the page shows the API's own validation messages. A project's page also removes selected
reports from it (/data/project/<pk>/results/remove/), exports them as CSV
(/data/project/<pk>/getCSV.csv) and shows the project's event log (/data/project/<pk>/log)."""
import json

from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from rundb.models import Project, Results
from rundb.projects import event_log, remove_results

from ..access import page
from .common import csv_download, paged, render_page
from .data import _parse_day

PER_PAGE = 15


@page()
def projects_page(request):
    qs = Project.objects.select_related("creator").annotate(resultsCount=Count("results", distinct=True))
    f = {k: request.GET.get(k, "").strip() for k in ("name", "date_from", "date_to")}
    if f["name"]:
        qs = qs.filter(name__icontains=f["name"])
    start, end = _parse_day(f["date_from"]), _parse_day(f["date_to"], end=True)
    if start:
        qs = qs.filter(modified__gte=start)
    if end:
        qs = qs.filter(modified__lte=end)
    page_obj, query = paged(request, qs.order_by("-modified", "-pk"), PER_PAGE)
    return render_page(request, "browser/projects.html", {
        "page_obj": page_obj, "filters": f, "query": query, "subtab": "projects",
    }, tab="data", title="Projects")


@page()
def project_results_page(request, pk):
    project = get_object_or_404(Project.objects.select_related("creator"), pk=pk)
    qs = (Results.objects.filter(projects=project).select_related("eas", "experiment")
          .order_by("-timeStamp", "-pk"))
    text = request.GET.get("name", "").strip()
    if text:
        qs = qs.filter(resultsName__icontains=text)
    page_obj, query = paged(request, qs, PER_PAGE)
    return render_page(request, "browser/project_results.html", {
        "project": project, "page_obj": page_obj, "text": text, "query": query,
        "subtab": "projects",
    }, tab="data", title=f"Project {project.name}")


def _report_ids(values):
    """Report ids from "1,2,3" strings or a list of ints; ValueError for anything else."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    if not isinstance(values, list) or len(values) > 10000:
        raise ValueError("a list of report ids")
    return [int(v) for v in values]


@page()
def remove_from_project(request, pk):
    """POST {"results": [report ids]}: take them out of the project (logged); the reports stay."""
    project = get_object_or_404(Project, pk=pk)
    if request.method != "POST":
        return JsonResponse({"error": "Use POST"}, status=405)
    try:
        body = json.loads(request.body or b"{}")
        ids = _report_ids(body.get("results") if isinstance(body, dict) else None)
    except (ValueError, TypeError, OverflowError):
        return JsonResponse({"error": 'Send {"results": [report ids]}'}, status=400)
    if not ids:
        return JsonResponse({"error": "Select at least one report."}, status=400)
    removed = remove_results(project, list(Results.objects.filter(pk__in=ids)), request.user.get_username())
    return JsonResponse({"removed": sorted(r.pk for r in removed)})


@page()
def project_csv(request, pk):
    """The project's reports (?results=1,2: those only) with their main metrics, as CSV."""
    project = get_object_or_404(Project, pk=pk)
    qs = (Results.objects.filter(projects=project).select_related("eas", "experiment")
          .prefetch_related("qualitymetrics").order_by("-timeStamp", "-pk"))
    if request.GET.get("results"):
        try:
            qs = qs.filter(pk__in=_report_ids(request.GET["results"]))
        except ValueError:
            return HttpResponse("results= takes comma-separated report ids.\n", status=400,
                                content_type="text/plain; charset=utf-8")
    response, out = csv_download(f"project_{project.pk}_metrics")
    out.writerow(["Report Name", "Run Name", "Status", "Reference", "Report Date", "Q20 Bases", "Total Bases",
                  "Report Link"])
    for rep in qs:
        qms = rep.qualitymetrics.all()
        qm = qms[0] if qms else None
        out.writerow([rep.resultsName, rep.experiment.displayName or rep.experiment.expName, rep.status,
                      (rep.eas.reference if rep.eas else "") or "", rep.timeStamp.isoformat(),
                      qm.q20_bases if qm else "", qm.q0_bases if qm else "", rep.reportLink])
    return response


@page()
def project_log(request, pk):
    """The project's event log as an HTML fragment (the page shows it in a dialog)."""
    project = get_object_or_404(Project, pk=pk)
    return render(request, "browser/project_log.html", {"project": project, "entries": event_log(project)})
