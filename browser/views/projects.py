"""Data > Projects (/data/projects/) and one project's results (/data/project/<pk>/results).

The pages list server-side (paged, a constant number of queries); creating, renaming and
deleting projects goes through the REST API (/rundb/api/v1/project/) from the page's script,
so the page shows the API's own validation messages."""
from django.db.models import Count
from django.shortcuts import get_object_or_404

from rundb.models import Project, Results

from ..access import page
from .common import paged, render_page
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
