"""Extra query parameters of ``compositeexperiment`` (the data page's search box and filters).

* ``all_date=MM/DD/YYYY[ HH:MM],MM/DD/YYYY[ HH:MM]``: the run date or a report's timestamp in
  the range (inclusive; a date without time covers the whole day);
* ``sample_prep=<instrument>``: runs whose plan's templating kit is for that sample-prep
  instrument (``samplePrep_instrumentType``, e.g. OT, IC, IA);
* ``samples__name__in=a,b`` and ``plugins__name__in=x,y``: runs with such a sample / with a
  report that ran such a plugin;
* ``result_status=Completed|Error|Progress|Other``: runs with such a report; the nested
  ``results`` then hold only those reports (:func:`status_q` is the SQL form of
  ``results.status_display``)."""
import datetime as dt

from django.db.models import Q
from django.utils import timezone
from tastypie.exceptions import BadRequest

from rundb.models import KitInfo

from ..params import query_param

STATUSES = ("Completed", "Error", "Progress", "Other")


def status_q(wanted):
    completed = Q(status__startswith="Completed")
    error = ~completed & (Q(status__icontains="error") | Q(status__icontains="fail"))
    progress = ~completed & ~error & (Q(status__in=("Started", "Pending", "Queued")) | Q(status__icontains="progress")
                                      | Q(status__icontains="processing"))
    if wanted == "Completed":
        return completed
    if wanted == "Error":
        return error
    if wanted == "Progress":
        return progress
    return ~completed & ~error & ~progress & ~Q(status="")


def _parse_when(text, end):
    text = text.strip()
    for fmt in ("%m/%d/%Y %H:%M", "%m/%d/%Y"):
        try:
            value = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%m/%d/%Y" and end:
            value += dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        return timezone.make_aware(value, dt.timezone.utc)
    raise BadRequest(f"Invalid all_date '{text}': use MM/DD/YYYY or MM/DD/YYYY HH:MM, two of them with a comma.")


def _names(value):
    return [v.strip() for v in value.split(",") if v.strip()]


def apply(queryset, query):
    when = query.get("all_date")
    if when:
        parts = when.split(",")
        if len(parts) != 2:
            raise BadRequest("all_date takes two dates separated by a comma.")
        start, end = _parse_when(parts[0], False), _parse_when(parts[1], True)
        queryset = queryset.filter(Q(date__range=(start, end)) | Q(results__timeStamp__range=(start, end))).distinct()
    prep = query.get("sample_prep")
    if prep:
        kits = KitInfo.objects.filter(samplePrep_instrumentType__iexact=prep).values("name")
        queryset = queryset.filter(plan__templatingKitName__in=kits)
    if query.get("samples__name__in"):
        queryset = queryset.filter(samples__name__in=_names(query["samples__name__in"])).distinct()
    if query.get("plugins__name__in"):
        queryset = queryset.filter(
            results__pluginresults__plugin__name__in=_names(query["plugins__name__in"])).distinct()
    wanted = query.get("result_status")
    if wanted:
        if wanted not in STATUSES:
            raise BadRequest(f"result_status must be one of {', '.join(STATUSES)}.")
        queryset = queryset.filter(results__in=_results_with(wanted)).distinct()
    return queryset


def _results_with(wanted):
    from rundb.models import Results

    return Results.objects.filter(status_q(wanted)).values("pk")


def nested_results(queryset, request):
    """The nested reports, without those ``result_status`` filters out."""
    wanted = query_param(request, "result_status")
    if wanted in STATUSES:
        queryset = queryset.filter(status_q(wanted))
    return queryset
