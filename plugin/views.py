"""HTTP views of the plugin framework (thin: parse, authorise, call a service, answer JSON).

Routes (plugin/urls.py) sit in front of the Tastypie API so that these specific paths win over
its generic detail routes. Authentication is rundb.api.auth's: session, Basic, ApiKey, or a
plugin run's own key. Every view goes through rundb.api.endpoint.endpoint (authentication,
method, permission, body limits; its ``ion_permission`` is checked by
tests/api/test_route_permissions.py). Installing, upgrading, uninstalling and rescanning plugins
runs plugin code as the server, so it needs ``rundb.install_plugin`` (superusers; not in the
ionusers group) and never a plugin key.
"""
import logging
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse

from rundb.api.auth import plugin_result_from_request
from rundb.api.endpoint import endpoint, error
from rundb.models import JobState, Plugin, PluginResult, Results
from rundb.paths import UnsafeName, UnsafePath

from .services.barcodes_json import build_barcodes_json
from .services.config import scratch_dir
from .services.extend import ExtendError, call_extend, make_bucket
from .services.install import PluginInstallError, install_from_zip, rescan, uninstall
from .services.launch import PluginLaunchError, launch_plugin, new_session, pluginresult_state
from .services.pluginresults import job_dict, list_pluginresults, request_stop
from .services.reportinfo import pluginresult_dir, pluginresult_url

log = logging.getLogger(__name__)

API = "/rundb/api/v1"
DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024
INSTALL_PERMISSION = "rundb.install_plugin"


def max_upload():
    return int(getattr(settings, "ION_PLUGIN_MAX_UPLOAD", DEFAULT_MAX_UPLOAD))


def plugin_json(plugin):
    return {
        "id": plugin.pk,
        "name": plugin.name,
        "version": plugin.version,
        "resource_uri": f"{API}/plugin/{plugin.pk}/",
        "path": plugin.path,
        "active": plugin.active,
        "selected": plugin.selected,
        "pluginsettings": plugin.pluginsettings,
        "majorBlock": plugin.majorBlock,
        "isConfig": plugin.isConfig,
        "isInstance": plugin.isInstance,
        "isPlanConfig": plugin.isPlanConfig,
        "hasAbout": plugin.hasAbout,
        "description": plugin.description,
        "config": plugin.config,
    }


# ---------------------------------------------------------------- install / uninstall / rescan

def _stage_upload(upload):
    scratch = scratch_dir()
    scratch.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".zip", dir=scratch)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(tmp)


def _scratch_file(name):
    """A file the UI uploaded into scratch/ earlier ({"file": "<name>"}); base name only."""
    if not isinstance(name, str) or not name or name != os.path.basename(name) or name.startswith("."):
        raise ValueError("'file' must be the plain name of an uploaded file")
    path = scratch_dir() / name
    if not path.is_file() or path.is_symlink():
        raise ValueError(f"No uploaded file named {name!r}")
    return path


# A multipart upload is limited by max_upload (plus the form's own bytes); JSON bodies are tiny.
@endpoint(INSTALL_PERMISSION, methods=("POST",), json_body=True, max_body=lambda: max_upload() + 64 * 1024,
          allow_plugin_key=False)
def plugin_install(request):
    user = request.user
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            limit = max_upload()
            if upload.size > limit:
                return error(413, f"The upload is larger than {limit} bytes")
            staged = _stage_upload(upload)
        else:
            body = request.json_body
            if not body.get("file"):
                return error(400, "Send the plugin zip as the multipart field 'file'")
            staged = _scratch_file(body["file"])
            if not staged.name.lower().endswith(".zip"):
                staged.unlink(missing_ok=True)
                return error(400, "Only .zip plugin archives can be installed here")
    except ValueError as exc:
        return error(400, str(exc))
    try:
        plugin = install_from_zip(staged, user=user)
    except PluginInstallError as exc:
        return error(400, exc.message)
    finally:
        staged.unlink(missing_ok=True)  # the upload is never kept
    return JsonResponse(plugin_json(plugin), status=201)


@endpoint(INSTALL_PERMISSION, methods=("DELETE", "POST"), allow_plugin_key=False)
def plugin_uninstall(request, pk):
    """Deactivate the plugin and remove its folder; its runs (PluginResult rows) are kept."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    uninstall(plugin)
    return JsonResponse({"Status": True})


@endpoint(INSTALL_PERMISSION, methods=("POST",), allow_plugin_key=False)
def plugin_rescan(request):
    """Registers plugin folders found on disk (inspecting them runs their code): POST only."""
    return JsonResponse(rescan())


@endpoint("authenticated", methods=("GET",))
def plugin_media(request, name, path):
    """Static files of a plugin from <plugin>/pluginMedia/ (no symlink tree needed)."""
    plugin = Plugin.objects.filter(name=name, active=True).exclude(path="").order_by("-date").first()
    if plugin is None:
        raise Http404("No such plugin")
    media = Path(plugin.path) / "pluginMedia"
    root = os.path.realpath(media)
    target = os.path.realpath(os.path.join(root, path))
    if os.path.commonpath([root, target]) != root or target == root or not os.path.isfile(target):
        raise Http404("No such file")
    ctype, encoding = mimetypes.guess_type(target)
    response = FileResponse(open(target, "rb"), content_type=ctype or "application/octet-stream")
    if encoding:
        response["Content-Encoding"] = encoding
    return response


# ---------------------------------------------------------------- launching on a report

def _find_plugins(spec):
    """Plugin rows named by the POST's `plugin` value; raises LookupError/ValueError."""
    base = Plugin.objects.filter(active=True, selected=True).exclude(path="")
    if isinstance(spec, bool) or spec is None or spec == "" or spec == []:
        raise ValueError("'plugin' is required: a name, a list of names or an id")
    if isinstance(spec, int):
        plugin = base.filter(pk=spec).first()
        if plugin is None:
            raise LookupError(f"Plugin id {spec} is not installed or not enabled")
        return [plugin]
    if isinstance(spec, dict):
        allowed = {k: v for k, v in spec.items() if k in ("id", "name", "version")}
        if not allowed:
            raise ValueError("'plugin' as an object must give id, name or version")
        matches = list(base.filter(**allowed)[:2])
        if len(matches) != 1:
            raise LookupError(f"No single installed and enabled plugin matches {allowed}")
        return matches
    names = spec if isinstance(spec, list) else [spec]
    plugins = []
    for name in names:
        if isinstance(name, int) and not isinstance(name, bool):
            plugins.extend(_find_plugins(name))
            continue
        if not isinstance(name, str) or not name.strip():
            raise ValueError("'plugin' names must be non-empty strings")
        from plugin.services.runlevels import installed_plugins

        plugin = installed_plugins([name.strip()]).get(name.strip())
        if plugin is None:
            raise LookupError(f"Plugin {name!r} is not installed or not enabled")
        if plugin not in plugins:
            plugins.append(plugin)
    return plugins


def launch_summary(pr):
    jobs = list(getattr(pr, "launched_jobs", None) or pr.plugin_result_jobs.all())
    return {
        "id": pr.pk,
        "pluginresult": pr.pk,
        "resource_uri": f"{API}/pluginresult/{pr.pk}/",
        "plugin": pr.plugin.name,
        "version": pr.plugin.version,
        "state": pluginresult_state(pr),
        "path": str(pluginresult_dir(pr)),
        "URL": pluginresult_url(pr),
        "jobs": [job_dict(j) for j in jobs],
        "validation_errors": list((pr.validation_errors or {}).get("validation_errors") or []),
    }


def _owner_for(request, user, body):
    wanted = body.get("owner") or body.get("username")
    if not wanted:
        return user
    if not user.is_superuser:
        raise PermissionError("Only a superuser may launch on behalf of another user")
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.filter(username=wanted, is_active=True).first()
    if owner is None:
        raise ValueError(f"No active user {wanted!r}")
    return owner


@endpoint("rundb.add_pluginresult", methods=("POST",), json_body=True)
def results_plugin(request, pk):
    """POST results/<pk>/plugin/ {"plugin": [names] | name | id, "pluginconfig": {...}}."""
    user = request.user
    result = Results.objects.filter(pk=pk).select_related("reportstorage", "experiment", "eas").first()
    if result is None:
        return error(404, f"No report with id {pk}")
    try:
        body = request.json_body
        if "plugin" not in body:
            raise ValueError("'plugin' is required: a name, a list of names or an id")
        config = body.get("pluginconfig")
        if config in ("", None):
            config = None
        elif not isinstance(config, dict):
            raise ValueError("'pluginconfig' must be a JSON object")
        owner = _owner_for(request, user, body)
        plugins = _find_plugins(body["plugin"])
    except PermissionError as exc:
        return error(403, str(exc))
    except LookupError as exc:
        return error(410, str(exc))
    except ValueError as exc:
        return error(400, str(exc))
    rerun = body.get("pluginresult")
    if rerun is not None and (len(plugins) != 1 or isinstance(rerun, bool) or not isinstance(rerun, int)):
        return error(400, "'pluginresult' must be the integer id of a run of the (single) plugin given")
    launched = []
    session = new_session()  # one request, one session: its LAST/EXPORT plugins wait for the others
    for plugin in plugins:
        try:
            pr = launch_plugin(result, plugin, user=owner, pluginconfig=config, run_mode="manual", pluginresult=rerun,
                               session=session)
        except PluginLaunchError as exc:
            return error(400, exc.message, launched=[launch_summary(p) for p in launched])
        except (UnsafeName, UnsafePath) as exc:  # a folder name from the database would leave its root
            return error(400, str(exc), launched=[launch_summary(p) for p in launched])
        except OSError as exc:
            log.exception("launching %s on report %s", plugin.name, result.pk)
            # A full or read-only disk is the server's condition, not the client's: 507 with the reason.
            return error(507, f"Cannot write the plugin output folder: {exc.strerror or exc}",
                         launched=[launch_summary(p) for p in launched])
        launched.append(pr)
    summaries = [launch_summary(pr) for pr in launched]
    body = dict(summaries[0])
    body["pluginresults"] = summaries
    return JsonResponse(body, status=202)


@endpoint("authenticated", methods=("GET",))
def results_pluginresults(request, pk):
    result = Results.objects.filter(pk=pk).select_related("reportstorage").first()
    if result is None:
        return error(404, f"No report with id {pk}")
    major = request.GET.get("major")
    if major is not None:
        value = major.strip().lower()
        if value not in ("true", "false", "1", "0"):
            return error(400, "major must be true or false")
        major = value in ("true", "1")
    return JsonResponse(list_pluginresults(result, major=major), safe=False)


@endpoint("authenticated", methods=("GET",))
def results_barcodesampleinfo(request, pk):
    """The report's barcodes.json structure (what plugins read), for REST clients."""
    result = Results.objects.filter(pk=pk).select_related("reportstorage", "eas", "experiment").first()
    if result is None:
        return error(404, f"No report with id {pk}")
    return JsonResponse(build_barcodes_json(result))


# Further limited per run below: its owner, its own plugin key, or rundb.change_pluginresult.
@endpoint("authenticated", methods=("POST",))
def pluginresult_stop(request, pk):
    """Asks the job service to cancel the run's active jobs: POST only (a GET changes nothing)."""
    user = request.user
    pr = PluginResult.objects.filter(pk=pk).select_related("plugin").first()
    if pr is None:
        return error(404, f"No plugin result with id {pk}")
    key_run = plugin_result_from_request(request)
    if key_run is not None:
        allowed = key_run.pk == pr.pk
    else:
        allowed = pr.owner_id == user.pk or user.has_perm("rundb.change_pluginresult")
    if not allowed:
        return error(403, "You may not stop this plugin run.")
    jobs = request_stop(pr)
    return JsonResponse({"pluginresult": pr.pk, "cancel_requested": jobs}, status=202)


@endpoint("authenticated", methods=("DELETE", "POST"), allow_plugin_key=False)
def pluginresult_delete(request, pk):
    """DELETE pluginresult/<pk>/delete/: the run and its output folder (the report's Delete)."""
    user = request.user
    pr = PluginResult.objects.filter(pk=pk).select_related("plugin", "result__reportstorage").first()
    if pr is None:
        return error(404, f"No plugin result with id {pk}")
    if not (pr.owner_id == user.pk or user.has_perm("rundb.delete_pluginresult")):
        return error(403, "You may not delete this plugin run.")
    if pr.plugin_result_jobs.filter(state__in=JobState.ACTIVE).exists():
        return error(409, "The plugin is still running: stop it first.")
    folder = pluginresult_dir(pr)
    pr.delete()
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)  # else it would come back as an orphan
    return JsonResponse({"deleted": pk})


# ---------------------------------------------------------------- extend.py

@endpoint("rundb.change_plugin", methods=("GET", "POST"), json_body=True)
def plugin_extend(request, ident, function):
    """Calls a function of the plugin's extend.py as the authenticated user (never a user named
    in the query). GET and POST as the SDK's clients use them; the function is plugin code."""
    user = request.user
    rows = Plugin.objects.filter(active=True).exclude(path="")
    plugin = rows.filter(pk=int(ident)).first() if ident.isdigit() else rows.filter(name=ident).order_by("-date").first()
    if plugin is None:
        return error(404, f"No installed plugin {ident!r}")
    body = request.json_body if request.method == "POST" else None
    bucket = make_bucket(plugin, method=request.method, query=request.GET.dict(), body=body,
                         user=user.get_username())
    try:
        value = call_extend(plugin, function, bucket)
    except ExtendError as exc:
        return error(exc.status, exc.message)
    return JsonResponse(value, safe=False, json_dumps_params={"default": str})
