"""Custom routes of ``results/<pk>/`` and ``experiment/<pk>/`` (mixed into those resources).

* ``results/<pk>/pluginstore/``: GET ``{plugin name: store}`` (newest run per name); PUT
  ``{plugin name: {...}}`` replaces the store of that plugin's newest run on the report,
  creating the run if there is none, all or nothing: 202.
* ``results|experiment/<pk>/metadata/``: GET the ``metaData`` object; POST
  ``{"metadata": {...}, "remove": [keys]}`` merges then removes keys: 202.
* ``results/<pk>/representative/``: POST ``{"representative": bool}`` makes the report its
  run's representative (pinned) or unpins it: 202. Authenticated, unlike the original.
* ``results/<pk>/barcode/[?metric=<column>]``: rows of ``alignment_barcode_summary.csv``
  (with ``metric``: ``{barcode id: value}``); no file: 400.
* ``results/<pk>/scan_for_orphaned_plugin_results/``: adopts ``plugin_out/<name>_out.<n>``
  folders (with ``startplugin.json``) that no run of this report owns: new PluginResult and a
  PluginResultJob in state "Unknown", folder renamed to the new id: 204.
* ``results/<pk>/pluginresult_set/``: the ``pluginresult`` list of the report; 410 if missing.
"""
import csv
import re

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from tastypie.exceptions import BadRequest, NotFound

from rundb.jobstates import JobState
from rundb.models import Experiment, Plugin, PluginResult, PluginResultJob, Results

from ..base import json_response
from ..routes import body_object as _body, guard, route

PK = r"(?P<pk>\d+)"
ORPHAN = re.compile(r"^(?P<name>.+)_out\.(?P<id>\d+)$")


def _get(model, pk, label):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {label} with id '{pk}'.")
    return obj


def metadata_view(resource, request, model, pk, label):
    method = guard(resource, request, ["get", "post"],
                   _perm(request, "authenticated", f"rundb.change_{model._meta.model_name}"))
    obj = _get(model, pk, label)
    meta = obj.metaData if isinstance(obj.metaData, dict) else {}
    if method == "get":
        return json_response(meta)
    data = _body(request)
    updates, remove = data.get("metadata", {}), data.get("remove", [])
    if not isinstance(updates, dict):
        raise BadRequest("metadata must be a JSON object.")
    if not isinstance(remove, list) or not all(isinstance(k, str) for k in remove):
        raise BadRequest("remove must be a list of key names.")
    obj = model.objects.select_for_update().get(pk=obj.pk)
    meta = dict(obj.metaData) if isinstance(obj.metaData, dict) else {}
    meta.update(updates)
    for key in remove:
        meta.pop(key, None)
    obj.metaData = meta
    obj.save(update_fields=["metaData"])
    return HttpResponse(status=202)


def _perm(request, get_level, write_level):
    return get_level if request.method in ("GET", "HEAD", "OPTIONS") else write_level


class ExperimentRoutesMixin:
    def prepend_urls(self):
        return [route(self, rf"{PK}/metadata/$", "metadata",
                      {"GET": "authenticated", "POST": "rundb.change_experiment"})]

    def metadata(self, request, pk=None, **kwargs):
        return metadata_view(self, request, Experiment, pk, "experiment")


class ResultRoutesMixin:
    def prepend_urls(self):
        return [
            route(self, rf"{PK}/pluginstore/$", "pluginstore",
                  {"GET": "authenticated", "PUT": "rundb.change_pluginresult"}),
            route(self, rf"{PK}/metadata/$", "metadata", {"GET": "authenticated", "POST": "rundb.change_results"}),
            route(self, rf"{PK}/representative/$", "representative", "rundb.change_experiment"),
            route(self, rf"{PK}/barcode/$", "barcode", "authenticated"),
            route(self, rf"{PK}/scan_for_orphaned_plugin_results/$", "scan_orphans", "rundb.add_pluginresult"),
            route(self, rf"{PK}/pluginresult_set/$", "pluginresult_set", "authenticated"),
        ]

    def pluginresult_set(self, request, pk=None, **kwargs):
        """The ``pluginresult`` list of this report (paging and filters as there); 410 if no report."""
        from ..base import resource_instance
        from .plugin import PluginResultResource

        guard(self, request, ["get"], "authenticated")
        if not Results.objects.filter(pk=pk).exists():
            return json_response({"error": f"No results with id '{pk}'."}, status=410)
        query = request.GET.copy()
        query["result"] = pk
        request.GET = query
        return resource_instance(PluginResultResource).get_list(request)

    def metadata(self, request, pk=None, **kwargs):
        return metadata_view(self, request, Results, pk, "results")

    def pluginstore(self, request, pk=None, **kwargs):
        method = guard(self, request, ["get", "put"], _perm(request, "authenticated", "rundb.change_pluginresult"))
        result = _get(Results, pk, "results")
        if method == "get":
            stores = {}
            for name, store in PluginResult.objects.filter(result=result).order_by("pk").values_list(
                    "plugin__name", "store"):
                stores[name] = store if store is not None else {}
            return json_response(stores)
        data = _body(request)
        errors = {}
        for name, store in data.items():
            if not isinstance(store, dict):
                errors[name] = "The store must be a JSON object."
                continue
            plugin = Plugin.objects.filter(name=name, active=True).order_by("-pk").first()
            if plugin is None:
                errors[name] = f"No active plugin named '{name}'."
                continue
            run = PluginResult.objects.filter(result=result, plugin__name=name).order_by("-pk").first()
            if run is None:
                run = PluginResult(result=result, plugin=plugin, owner=request.user)
                run.regenerate_apikey()
            run.store = store
            run.save()
        if errors:
            transaction.set_rollback(True)
            raise BadRequest(errors)
        return HttpResponse(status=202)

    def representative(self, request, pk=None, **kwargs):
        guard(self, request, ["post", "put", "patch"], "rundb.change_experiment")
        result = _get(Results, pk, "results")
        value = _body(request).get("representative")
        if not isinstance(value, bool):
            raise BadRequest("representative must be true or false.")
        exp = result.experiment
        if exp is None:
            raise BadRequest("This report belongs to no run.")
        if value:
            Results.objects.filter(experiment=exp).exclude(pk=result.pk).update(representative=False)
            result.representative = True
            result.save(update_fields=["representative"])
            exp.repResult, exp.pinnedRepResult = result, True
        else:
            result.representative = False
            result.save(update_fields=["representative"])
            exp.pinnedRepResult = False
            if exp.repResult_id == result.pk:
                exp.repResult = Results.objects.filter(experiment=exp).exclude(pk=result.pk).order_by(
                    "-timeStamp").first()
        exp.save(update_fields=["repResult", "pinnedRepResult"])
        return HttpResponse(status=202)

    def barcode(self, request, pk=None, **kwargs):
        guard(self, request, ["get"], "authenticated")
        result = _get(Results, pk, "results")
        path = result.report_dir / "alignment_barcode_summary.csv"
        try:
            with open(path, newline="") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            rows = []
        if not rows:
            raise BadRequest("This report has no barcode summary (alignment_barcode_summary.csv).")
        metric = request.GET.get("metric")
        if not metric:
            return json_response(rows)
        if metric not in rows[0]:
            raise BadRequest(f"Unknown metric '{metric}'; the summary has: {', '.join(rows[0])}.")
        key = "ID" if "ID" in rows[0] else next(iter(rows[0]))
        return json_response({row[key]: row[metric] for row in rows})

    def scan_orphans(self, request, pk=None, **kwargs):
        guard(self, request, ["get", "post"], "rundb.add_pluginresult")
        result = _get(Results, pk, "results")
        folder = result.report_dir / "plugin_out"
        owned = set(PluginResult.objects.filter(result=result).values_list("pk", flat=True))
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            entries = []
        for entry in entries:
            match = ORPHAN.match(entry.name)
            if not match or not entry.is_dir() or int(match["id"]) in owned:
                continue
            if not (entry / "startplugin.json").is_file():
                continue
            plugin = Plugin.objects.filter(name=match["name"]).order_by("-active", "-pk").first()
            if plugin is None:
                continue
            run = PluginResult(result=result, plugin=plugin, owner=request.user)
            run.save()
            target = folder / run.output_dirname
            if target.exists():
                transaction.set_rollback(True)
                raise BadRequest(f"Cannot adopt {entry.name}: {target.name} already exists.")
            entry.rename(target)
            PluginResultJob.objects.create(plugin_result=run, state=JobState.UNKNOWN, grid_engine_jobid=-1,
                                           starttime=None, endtime=timezone.now())
        return HttpResponse(status=204)
