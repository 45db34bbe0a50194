"""Reports in projects: adding and removing them, each change written to the project's event
log (EventLog rows on the project, shown by the project page's log). Shared by the data pages'
actions (browser/views/data.py, browser/views/projects.py)."""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from rundb.models import EventLog, Project


def _log(project_ids, reports, text, username):
    ctype = ContentType.objects.get_for_model(Project)
    EventLog.objects.bulk_create([
        EventLog(text=text.format(pk=r.pk), content_type=ctype, object_pk=pid, username=(username or "ION")[:32])
        for pid in project_ids for r in reports])


def add_results(projects, reports, username):
    """Add *reports* to each of *projects*."""
    with transaction.atomic():
        for project in projects:
            project.results.add(*reports)
        _log([p.pk for p in projects], reports, "Add result ({pk}) to project.", username)


def remove_results(project, reports, username):
    """Take *reports* out of *project* (the reports themselves stay); the ones that were in it."""
    with transaction.atomic():
        members = list(project.results.filter(pk__in=[r.pk for r in reports]))
        project.results.remove(*members)
        _log([project.pk], members, "Remove result ({pk}) from project.", username)
    return members


def event_log(project, limit=200):
    """The project's newest event log entries first."""
    ctype = ContentType.objects.get_for_model(Project)
    return list(EventLog.objects.filter(content_type=ctype, object_pk=project.pk).order_by("-created", "-pk")[:limit])
