"""Helpers shared by the page views."""
import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rundb.models import GlobalConfig, Message

DEFAULT_SITE_NAME = "Torrent Server"


def site_name():
    row = GlobalConfig.objects.only("site_name").first()
    return (row.site_name if row else "") or DEFAULT_SITE_NAME


def page_size():
    row = GlobalConfig.objects.only("records_to_display").first()
    return max(1, min(int(row.records_to_display or 20), 200)) if row else 20


def render_page(request, template, context=None, *, tab="", title="", status=200):
    # Site-wide messages (route "") and those for this page; dismissed via the message API.
    banners = list(Message.objects.filter(status="unread", route__in=("", request.path)).order_by("-time")[:5])
    ctx = {"site_name": site_name(), "tab": tab, "page_title": title, "banners": banners}
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def csv_download(stem):
    """(response, csv writer) for a CSV attachment named ``<stem>_<date and time>.csv``."""
    response = HttpResponse(content_type="text/csv")
    stamp = timezone.now().strftime("%Y_%m_%d_%H_%M_%S")
    response["Content-Disposition"] = f'attachment; filename="{stem}_{stamp}.csv"'
    return response, csv.writer(response)


def human_bases(n):
    """1234567 -> "1.2 M" (the report tiles' style)."""
    n = float(n or 0)
    for unit in ("", " K", " M", " G", " T"):
        if abs(n) < 1000:
            return f"{n:.0f}{unit}" if unit == "" else f"{n:.1f}{unit}"
        n /= 1000.0
    return f"{n:.1f} P"


def paged(request, qs, per_page):
    """(page of ``qs`` the request asks for, its query string without ``page``) for a list page
    whose paging links keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(qs, per_page).get_page(request.GET.get("page")), query.urlencode()
