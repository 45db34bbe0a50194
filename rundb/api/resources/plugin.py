"""Installed plugins, plugin runs on reports (pluginresult) and their grid jobs (PluginResultJob)."""
import os

from django.core.exceptions import ValidationError
from django.utils import timezone
from tastypie import fields
from tastypie.exceptions import ImmediateHttpResponse, NotFound, Unauthorized

from rundb.jobstates import ACTIVE_JOB_STATES, FINAL_JOB_STATES, JOB_STATES, plugin_state_from_jobs
from rundb.models import JobState, Plugin, PluginResult, PluginResultJob
from rundb.paths import safe_join

from ..auth import plugin_result_from_request
from ..base import ComputedField, IonMeta, IonResource, error_response
from ..computed import to_boolean
from .results import report_folder, report_web_root

OUTPUT_FOLDER = "plugin_out"
PAGE_SUFFIXES = (".html", ".php")


# Where the server finds and runs the plugin's code: set by installing only, never through the API.
SERVER_SIDE = ("path", "script", "name", "version", "packageName", "active")
INSTALL_PERMISSION = "rundb.install_plugin"


class PluginResource(IonResource):
    """Only active (installed) plugins. Install/uninstall are the plugin views' job.

    ``path``, ``script``, ``name``, ``version``, ``packageName`` and ``active`` are read-only:
    a PUT/PATCH that repeats the stored value is accepted, a different value is 400. DELETE
    uninstalls like ``plugin/<pk>/uninstall/`` (needs ``rundb.install_plugin``): the row is
    deactivated and its runs (PluginResult rows) stay readable. No list writes: plugins are
    added by installing them."""

    path = fields.CharField(attribute="path", readonly=True)
    script = fields.CharField(attribute="script", readonly=True)
    name = fields.CharField(attribute="name", readonly=True)
    version = fields.CharField(attribute="version", readonly=True)
    packageName = fields.CharField(attribute="packageName", readonly=True)
    active = fields.BooleanField(attribute="active", readonly=True)
    availableVersions = ComputedField("list")
    input = ComputedField("string")
    versionedName = ComputedField("string")
    isUpgradable = ComputedField("boolean")

    class Meta(IonMeta):
        queryset = Plugin.objects.filter(active=True)
        resource_name = "plugin"
        excludes = ["metadata"]
        list_allowed_methods = ["get"]

    def hydrate(self, bundle):
        obj = bundle.obj
        errors = {}
        for name in SERVER_SIDE:
            if name not in bundle.data:
                continue
            value, stored = bundle.data[name], getattr(obj, name) if obj.pk is not None else None
            same = (to_boolean(value) == stored) if isinstance(stored, bool) else (str(value) == str(stored))
            if obj.pk is None or not same:
                errors[name] = [f"'{name}' is read-only: it is set by installing the plugin."]
        if errors:
            raise ValidationError(errors)
        return bundle

    def obj_delete(self, bundle, **kwargs):
        obj = self.obj_get(bundle, **kwargs)
        bundle.obj = obj
        self.authorized_delete_detail(self.get_object_list(bundle.request), bundle)
        if plugin_result_from_request(bundle.request) is not None or not bundle.request.user.has_perm(
            INSTALL_PERMISSION
        ):
            raise Unauthorized(f"Uninstalling a plugin needs {INSTALL_PERMISSION}.")
        self.uninstall(obj)  # deactivates; the plugin's runs are history and stay

    def uninstall(self, plugin):
        """Removing installed plugin code is the plugin app's act: it registers a subclass
        doing it (plugin/api/resources.py); without it a DELETE changes nothing."""
        raise ImmediateHttpResponse(error_response("Uninstalling plugins needs the plugin app.", 501))

    def prefetch_page(self, objs, page):
        names = {o.name for o in objs}
        versions = {}
        for name, version in Plugin.objects.filter(name__in=names).order_by("pk").values_list("name", "version"):
            versions.setdefault(name, []).append(version)
        page.extra["versions"] = versions

    def dehydrate_availableVersions(self, bundle):
        return bundle.page.extra["versions"].get(bundle.obj.name, [bundle.obj.version])

    def dehydrate_input(self, bundle):
        if bundle.obj.isInstance:
            return f"/configure/plugins/plugin/{bundle.obj.pk}/configure/report/"
        return "False"

    def dehydrate_versionedName(self, bundle):
        return bundle.obj.versionedName

    def dehydrate_isUpgradable(self, bundle):
        return False


class PluginResultJobResource(IonResource):
    """One grid job of a plugin run. ``?pluginresult=<id>`` filters by run (it is also the plugin
    key parameter, so the job wrapper's lookup finds its own run's jobs).

    PATCH ``{"state": ...}`` moves the state forward only: ``Started`` stamps ``starttime``, a
    final state stamps ``endtime``; repeating the current state is a no-op; going back from a
    final state is 409."""

    pluginresult = fields.ToOneField("rundb.api.resources.plugin.PluginResultResource", "plugin_result",
                                     readonly=True)

    class Meta(IonMeta):
        queryset = PluginResultJob.objects.all()
        resource_name = "PluginResultJob"
        fields = ["id", "grid_engine_jobid", "run_level", "starttime", "endtime", "config", "state",
                  "exit_code", "created"]

    def validate_bundle(self, bundle, creating):
        state = bundle.obj.state
        if state not in JOB_STATES:
            raise ValidationError({"state": [f"'{state}' is not a job state; use one of {', '.join(sorted(JOB_STATES))}."]})

    def obj_update(self, bundle, skip_errors=False, **kwargs):
        data = bundle.data
        if "state" not in data:
            return super().obj_update(bundle, **kwargs)
        pk = kwargs.get("pk")
        try:
            current = self.get_object_list(bundle.request).get(pk=pk)
        except (PluginResultJob.DoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(f"No PluginResultJob with id '{pk}'.")
        bundle.obj = current
        self.authorized_update_detail(self.get_object_list(bundle.request), bundle)
        new = data["state"]
        if new not in JOB_STATES:
            raise ValidationError({"state": [f"'{new}' is not a job state; use one of {', '.join(sorted(JOB_STATES))}."]})
        if new != current.state:
            if current.state in FINAL_JOB_STATES:
                raise ImmediateHttpResponse(error_response(
                    f"Job {current.pk} is already {current.state}; its state cannot change to {new}.", status=409))
            now = timezone.now()
            updates = {"state": new}
            if new == JobState.STARTED and current.starttime is None:
                updates["starttime"] = now
            if new in FINAL_JOB_STATES and current.endtime is None:
                updates["endtime"] = now
            # Conditional update: the job service may be moving the same row concurrently.
            changed = PluginResultJob.objects.filter(pk=current.pk, state=current.state).update(**updates)
            if not changed:
                raise ImmediateHttpResponse(error_response(
                    f"Job {current.pk} changed state concurrently; retry.", status=409))
            for name, value in updates.items():
                setattr(current, name, value)  # what was written; no re-read needed
        rest = {k: v for k, v in data.items() if k != "state"}
        bundle.obj = current
        if rest:
            current.refresh_from_db()  # the saved state, so the save below keeps it
            bundle.data = rest
            bundle = self.full_hydrate(bundle)
            return self.save(bundle, creating=False)
        return bundle


class PluginResultResource(IonResource):
    """A plugin run on a report (its output folder is ``plugin_out/<Name>_out.<id>``).

    ``apikey`` is always null: the database holds only a hash of the per-launch key.
    On create, ``owner`` is the caller unless a superuser names another user; ``result``,
    ``plugin`` and ``owner`` never change afterwards."""

    result = fields.ToOneField("rundb.api.resources.results.ResultsResource", "result")
    plugin = fields.ToOneField(PluginResource, "plugin")
    owner = fields.ToOneField("rundb.api.resources.users.UserResource", "owner", null=True, blank=True)
    plugin_result_jobs = fields.ToManyField(PluginResultJobResource, "plugin_result_jobs", full=True,
                                            readonly=True, null=True)
    apikey = fields.CharField(attribute="apikey", null=True, readonly=True)
    starttime = fields.DateTimeField(attribute="starttime", null=True, readonly=True)
    endtime = fields.DateTimeField(attribute="endtime", null=True, readonly=True)
    major = ComputedField("boolean")
    can_terminate = ComputedField("boolean")
    resultName = ComputedField("string")
    pluginVersion = ComputedField("string")
    pluginName = ComputedField("string")
    state = ComputedField("string")
    files = ComputedField("list")
    URL = ComputedField("string")
    path = ComputedField("string")
    reportLink = ComputedField("string")

    class Meta(IonMeta):
        queryset = PluginResult.objects.select_related("plugin", "result__reportstorage")
        resource_name = "pluginresult"

    def prefetch_page(self, objs, page):
        jobs = {}
        for pr_id, pk, state, start, end in PluginResultJob.objects.filter(
            plugin_result_id__in=[o.pk for o in objs]
        ).values_list("plugin_result_id", "pk", "state", "starttime", "endtime"):
            jobs.setdefault(pr_id, []).append((pk, state, start, end))
        page.extra["jobs"] = jobs
        request = page.request
        user = getattr(request, "user", None)
        page.extra["viewer"] = (
            getattr(user, "pk", None),
            bool(getattr(user, "is_superuser", False)),
            getattr(plugin_result_from_request(request), "pk", None) if request is not None else None,
        )

    def _jobs(self, bundle):
        return bundle.page.extra["jobs"].get(bundle.obj.pk, [])

    def dehydrate_apikey(self, bundle):
        # Only a hash is stored (the job has the key in startplugin.json): nothing to show anyone.
        return None

    def dehydrate_major(self, bundle):
        return bundle.obj.plugin.majorBlock

    def dehydrate_can_terminate(self, bundle):
        return any(state in ACTIVE_JOB_STATES for _, state, _, _ in self._jobs(bundle))

    def dehydrate_state(self, bundle):
        return plugin_state_from_jobs(bundle.obj.validation_errors, [j[:3] for j in self._jobs(bundle)])

    def dehydrate_starttime(self, bundle):
        starts = [j[2] for j in self._jobs(bundle) if j[2] is not None]
        value = min(starts) if starts else bundle.obj.starttime
        return value.isoformat() if value else None

    def dehydrate_endtime(self, bundle):
        ends = [j[3] for j in self._jobs(bundle) if j[3] is not None]
        value = max(ends) if ends else bundle.obj.endtime
        return value.isoformat() if value else None

    def dehydrate_resultName(self, bundle):
        return bundle.obj.result.resultsName

    def dehydrate_reportLink(self, bundle):
        result = bundle.obj.result
        return report_web_root(result, result.reportstorage)

    def dehydrate_pluginName(self, bundle):
        return bundle.obj.plugin.name

    def dehydrate_pluginVersion(self, bundle):
        return bundle.obj.plugin.version

    def _folder(self, obj):
        return f"{obj.plugin.name}_out.{obj.pk}"

    def dehydrate_path(self, bundle):
        result = bundle.obj.result
        base = f"{result.reportstorage.dirPath.rstrip('/')}/{report_folder(result, result.reportstorage)}"
        return f"{base}/{OUTPUT_FOLDER}/{self._folder(bundle.obj)}"

    def dehydrate_URL(self, bundle):
        result = bundle.obj.result
        return f"{report_web_root(result, result.reportstorage)}{OUTPUT_FOLDER}/{self._folder(bundle.obj)}/"

    def dehydrate_files(self, bundle):
        result = bundle.obj.result
        try:
            # Only ever list a folder inside the report storage (names come from the database).
            folder = safe_join(result.reportstorage.dirPath, report_folder(result, result.reportstorage),
                               OUTPUT_FOLDER, self._folder(bundle.obj))
            with os.scandir(folder) as entries:
                return sorted(e.name for e in entries if e.is_file() and e.name.endswith(PAGE_SUFFIXES))
        except (OSError, ValueError):
            return []

    def clean_exclude(self):
        # Each is already a fetched row (ToOneField hydrate, or request.user): validating them
        # again costs three existence queries per PATCH (e.g. every job's store callback).
        return ["result", "plugin", "owner"]

    def validate_bundle(self, bundle, creating):
        missing = {f: ["This field cannot be null."] for f in ("result", "plugin") if getattr(bundle.obj, f"{f}_id") is None}
        if missing:
            raise ValidationError(missing)

    def hydrate(self, bundle):
        data = bundle.data
        request = bundle.request
        if bundle.obj.pk is not None:
            for key in ("result", "plugin", "owner"):
                data.pop(key, None)  # fixed once the run exists
            return bundle
        user = request.user
        if not (user.is_superuser and data.get("owner")):
            data.pop("owner", None)
            bundle.obj.owner = user
        if bundle.obj.apikey is None:
            bundle.obj.regenerate_apikey()
        return bundle

