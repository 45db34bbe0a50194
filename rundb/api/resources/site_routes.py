"""Custom routes of ``user``, ``rig`` and ``torrentsuite`` (mixed into those resources).

* ``POST user/<pk>/activate/`` (admin): activates a signed-up user, clears
  ``needs_activation`` and removes the "New pending user registration" message: 202.
* ``POST user/<pk>/reject/`` (admin): deletes the user (never a superuser or oneself): 202.
* ``GET rig/<name>/status/``: ``{state, last_init_date, last_clean_date, last_experiment,
  version, alarms}``; ``PUT`` sets any of them (``rundb.change_rig``): 202.
* ``GET rig/<name>/config/`` (``rundb.change_rig``: it holds the FTP password):
  ``{ftppassword, ftprootdir, ftpserver, ftpusername, updateflag}``.
* ``GET torrentsuite/sgejobs/``: active grid jobs from the job tables (the source of truth the
  job service keeps in step with the Grid Engine): total, analysis, plugin and pending counts.
"""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from tastypie.exceptions import BadRequest, NotFound

from rundb.models import AnalysisJob, JobState, Message, PluginResultJob, Rig, UserProfile

from ..base import json_response
from ..routes import body_object, guard, route

STATUS_KEYS = ("state", "last_init_date", "last_clean_date", "last_experiment", "version", "alarms")
CONFIG_KEYS = ("ftppassword", "ftprootdir", "ftpserver", "ftpusername", "updateflag")
PENDING_USER = "New pending user registration"


class UserRoutesMixin:
    def prepend_urls(self):
        return [
            route(self, r"(?P<pk>\d+)/activate/$", "activate", "admin"),
            route(self, r"(?P<pk>\d+)/reject/$", "reject", "admin"),
        ]

    def _user(self, pk):
        user = get_user_model().objects.filter(pk=pk).first()
        if user is None:
            raise NotFound(f"No user with id '{pk}'.")
        return user

    def activate(self, request, pk=None, **kwargs):
        guard(self, request, ["post"], "admin")
        user = self._user(pk)
        user.is_active = True
        user.save(update_fields=["is_active"])
        UserProfile.objects.filter(user=user).update(needs_activation=False)
        Message.objects.filter(body__startswith=PENDING_USER, body__contains=user.username).delete()
        return HttpResponse(status=202)

    def reject(self, request, pk=None, **kwargs):
        guard(self, request, ["post"], "admin")
        user = self._user(pk)
        if user.is_superuser or user.pk == request.user.pk:
            raise BadRequest("A superuser (or yourself) cannot be rejected.")
        Message.objects.filter(body__startswith=PENDING_USER, body__contains=user.username).delete()
        user.delete()
        return HttpResponse(status=202)


class RigRoutesMixin:
    def prepend_urls(self):
        return [
            route(self, r"(?P<pk>[\w\-]+)/status/$", "rig_status", {"GET": "authenticated", "PUT": "rundb.change_rig"}),
            route(self, r"(?P<pk>[\w\-]+)/config/$", "rig_config", "rundb.change_rig"),
        ]

    def _rig(self, pk):
        rig = Rig.objects.filter(pk=pk).first()
        if rig is None:
            raise NotFound(f"No rig named '{pk}'.")
        return rig

    def rig_status(self, request, pk=None, **kwargs):
        method = guard(self, request, ["get", "put"],
                       "authenticated" if request.method in ("GET", "HEAD") else "rundb.change_rig")
        rig = self._rig(pk)
        if method == "get":
            return json_response({key: getattr(rig, key) for key in STATUS_KEYS})
        data = body_object(request)
        errors = {}
        for key in STATUS_KEYS:
            if key not in data:
                continue
            value = data[key]
            if key in ("version", "alarms"):
                if not isinstance(value, dict):
                    errors[key] = ["Expected a JSON object."]
                    continue
            elif not isinstance(value, str):
                errors[key] = ["Expected a string."]
                continue
            elif len(value) > 512:
                errors[key] = ["At most 512 characters."]
                continue
            setattr(rig, key, value)
        if errors:
            raise BadRequest(errors)
        rig.save()
        return HttpResponse(status=202)

    def rig_config(self, request, pk=None, **kwargs):
        guard(self, request, ["get"], "rundb.change_rig")
        rig = self._rig(pk)
        return json_response({key: getattr(rig, key) for key in CONFIG_KEYS})


def sge_jobs():
    analysis = AnalysisJob.objects.filter(state__in=JobState.ACTIVE)
    plugins = PluginResultJob.objects.filter(state__in=JobState.ACTIVE)
    pending = (analysis.filter(state=JobState.QUEUED).count() + plugins.filter(state=JobState.QUEUED).count())
    counts = {"analysis_jobs": analysis.count(), "plugin_jobs": plugins.count()}
    return {"total_jobs": counts["analysis_jobs"] + counts["plugin_jobs"], **counts, "pending_jobs": pending}
