"""Home dashboard (/home/) and Monitor > Runs in Progress (/monitor/)."""
from datetime import timedelta

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from rundb.models import Message, Results

from ..access import page
from .common import page_size, render_page
from .data import status_class
from .health import job_service_running, queue_counts

SPANS = {"hour": ("Last Hour", timedelta(hours=1)), "today": ("Today", None),
         "24hours": ("Last 24 Hours", timedelta(hours=24)), "7days": ("Last 7 Days", timedelta(days=7))}
STAGES = ["Sequencing", "Analysis", "Plugins"]


def _since(span):
    now = timezone.now()
    if span == "today":
        return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return now - SPANS[span][1]


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def run_rows(since, *, limit=50, also=None):
    """Reports newer than `since` (or matching `also`) with their stage and live metrics (a
    constant 4 queries)."""
    cond = Q(timeStamp__gte=since) | also if also is not None else Q(timeStamp__gte=since)
    results = list(Results.objects.filter(cond).select_related("experiment")
                   .prefetch_related("analysismetrics", "libmetrics", "qualitymetrics")
                   .order_by("-timeStamp", "-pk")[:limit])
    rows = []
    for r in results:
        exp = r.experiment
        am = next(iter(r.analysismetrics.all()), None)
        lib = next(iter(r.libmetrics.all()), None)
        qm = next(iter(r.qualitymetrics.all()), None)
        flows_done = int(exp.ftpStatus) if exp.ftpStatus.isdigit() else None
        cls = status_class(r.status)
        if flows_done is not None and flows_done < exp.flows:
            stage, state, progress = "Sequencing", "In progress", f"{flows_done}/{exp.flows}"
        elif cls == "Completed":
            stage, state, progress = "Analysis", "Complete", ""
        elif cls == "Error":
            stage, state, progress = "Analysis", "Error", ""
        else:
            stage, state, progress = "Analysis", "In progress", ""
        addressable = (am.total - am.excluded) if am else 0
        rows.append({
            "r": r, "exp": exp, "stage": stage, "state": state, "progress": progress, "flows_done": flows_done,
            "loading": _pct(am.bead, addressable) if am else None,
            "live": _pct(am.live, am.bead) if am else None,
            "library": _pct(am.lib, am.live) if am else None,
            "key": round(lib.aveKeyCounts) if lib else None,
            "usable": _pct(qm.q0_reads, am.lib) if (am and qm) else None,
        })
    return rows


def _health():
    return {"service_running": job_service_running(), "queues": queue_counts()}


@page()
def home_page(request):
    span = request.GET.get("time_span", "24hours")
    if span not in SPANS:
        span = "24hours"
    rows = run_rows(_since(span))
    news = list(Message.objects.filter(route__in=("", "news")).order_by("-time")[:5])
    return render_page(request, "browser/home.html", {
        "rows": rows, "span": span, "span_label": SPANS[span][0], "spans": SPANS, "news": news,
        "in_progress": [row for row in rows if row["state"] == "In progress"], **_health(),
    }, tab="home", title="Dashboard")


@page()
def home_fragments(request):
    span = request.GET.get("time_span", "24hours")
    if span not in SPANS:
        raise Http404("Unknown time span")
    return render(request, "browser/home_runs.html", {"rows": run_rows(_since(span)), "span_label": SPANS[span][0]})


TRANSFER_DONE = ("Complete", "Completed", "User Aborted", "Missing File(s)", "Lost Chip Connection")


def monitor_rows():
    """Reports of the last 2 days, plus runs of the last week still transferring."""
    week = timezone.now() - timedelta(days=7)
    transferring = Q(timeStamp__gte=week) & ~Q(experiment__ftpStatus__in=TRANSFER_DONE)
    return run_rows(timezone.now() - timedelta(days=2), limit=page_size(), also=transferring)


@page()
def monitor_page(request):
    ctx = {"rows": monitor_rows()}
    if request.GET.get("fragment"):
        return render(request, "browser/monitor_rows.html", ctx)
    return render_page(request, "browser/monitor.html", ctx, tab="monitor", title="Runs in Progress")
