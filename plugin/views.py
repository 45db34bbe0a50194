"""HTTP views of the plugin framework (thin: parse, authorise, call a service, answer JSON).

Routes (plugin/urls.py) sit in front of the Tastypie API so that these specific paths win over
its generic detail routes. Authentication is rundb.api.auth's: session, Basic, ApiKey, or a
plugin run's own key. Every view goes through rundb.api.endpoint.endpoint (authentication,
method, permission, body limits; its ``ion_permission`` is checked by
tests/api/test_route_permissions.py). Installing, upgrading, uninstalling and rescanning plugins
runs plugin code as the server, so it needs ``rundb.install_plugin`` (superusers; not in the
ionusers group) and never a plugin key.
"""
import json
import logging
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse

from rundb.api.auth import plugin_result_from_request
from rundb.api.endpoint import endpoint, error
from rundb.models import JobState, Plugin, PluginResult, Results
from rundb.paths import UnsafeName, UnsafePath

from .introspect import PluginInspectError, inspect_plugin, newest
from .services.barcodes_json import build_barcodes_json
from .services.config import scratch_dir
from .services.extend import ExtendError, call_extend, make_bucket
from .services.install import (
    PluginInstallError, install_archived_version, install_from_zip, rescan, rescan_plugin, uninstall,
)
from .services.launch import PluginLaunchError, launch_plugin, new_session, pluginresult_state
from .services.plugininfo import history, info_dict, lineage
from .services.pluginresults import job_dict, list_pluginresults, request_stop, rescan_pluginresult
from .services.reportinfo import pluginresult_dir, pluginresult_url
from .services.validation import validation_messages

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


class _Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.response = error(status, message)


def _received_zip(request):
    """The zip of an install/upgrade request: the multipart field 'file', or {"file": <name>}
    of a file uploaded into scratch/ before. Raises _Refused."""
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            limit = max_upload()
            if upload.size > limit:
                raise _Refused(413, f"The upload is larger than {limit} bytes")
            return _stage_upload(upload)
        body = request.json_body
        if not body.get("file"):
            raise _Refused(400, "Send the plugin zip as the multipart field 'file'")
        staged = _scratch_file(body["file"])
        if not staged.name.lower().endswith(".zip"):
            staged.unlink(missing_ok=True)
            raise _Refused(400, "Only .zip plugin archives can be installed here")
        return staged
    except ValueError as exc:
        raise _Refused(400, str(exc)) from None


# A multipart upload is limited by max_upload (plus the form's own bytes); JSON bodies are tiny.
@endpoint(INSTALL_PERMISSION, methods=("POST",), json_body=True, max_body=lambda: max_upload() + 64 * 1024,
          allow_plugin_key=False)
def plugin_install(request):
    try:
        staged = _received_zip(request)
    except _Refused as exc:
        return exc.response
    try:
        plugin = install_from_zip(staged, user=request.user)
    except PluginInstallError as exc:
        return error(400, exc.message)
    finally:
        staged.unlink(missing_ok=True)  # the upload is never kept
    return JsonResponse(plugin_json(plugin), status=201)


@endpoint(INSTALL_PERMISSION, methods=("POST",), json_body=True, max_body=lambda: max_upload() + 64 * 1024,
          allow_plugin_key=False)
def plugin_upgrade(request, pk):
    """POST plugin/<pk>/upgrade/: a newer zip of this installed plugin (as plugin/install/ takes
    it). The original upgrades from its package feed; here the zip is the only source, and, as
    its zip install does, an equal or lower version than the installed one is refused (400) and
    nothing changes. The id may be any version's of the plugin (e.g. from plugin/<pk>/lineage/)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    # Any version's id names the plugin; what is compared is the installed version.
    plugin = newest(Plugin.objects.filter(name=plugin.name, active=True))
    if plugin is None:
        return error(410, "No version of this plugin is installed: install it with plugin/install/")
    try:
        staged = _received_zip(request)
    except _Refused as exc:
        return exc.response
    try:
        new = install_from_zip(staged, user=request.user, expected_name=plugin.name)
    except PluginInstallError as exc:
        return error(400, exc.message)
    finally:
        staged.unlink(missing_ok=True)
    body = plugin_json(new)
    body["previous"] = {"id": plugin.pk, "version": plugin.version}
    return JsonResponse(body, status=202)


@endpoint(INSTALL_PERMISSION, methods=("POST",), allow_plugin_key=False)
def plugin_install_to_version(request, pk, version):
    """POST plugin/<pk>/<version>/install_to_version/: install that version of the plugin again
    from the copy kept under archive/<Name>/ when a later one replaced it (older versions too,
    as the original's package install allows; plugin/<pk>/lineage/ shows which are kept)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    try:
        row, previous = install_archived_version(plugin, version, user=request.user)
    except LookupError as exc:
        return error(404, str(exc))
    except FileNotFoundError as exc:
        return error(410, str(exc))
    except PluginInstallError as exc:
        return error(409, exc.message)
    body = plugin_json(row)
    body["previous"] = {"id": previous.pk, "version": previous.version} if previous is not None else None
    return JsonResponse(body, status=202)


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


@endpoint(INSTALL_PERMISSION, methods=("POST",), allow_plugin_key=False)
def plugin_rescan_plugin(request, pk):
    """POST plugin/<pk>/rescan_plugin/: rescan this plugin's folder only (see rescan_plugin)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    return JsonResponse(rescan_plugin(plugin))


# ---------------------------------------------------------------- info, lineage, validate, show

def _flag(request, name, default):
    """A true/false query parameter; ValueError for anything else."""
    value = request.GET.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise ValueError(f"{name} must be true or false")
    return value in ("true", "1")


def _installed(plugin):
    return plugin.active and bool(plugin.path) and Path(plugin.path).is_dir()


@endpoint("authenticated", methods=("GET",))
def plugin_info(request, pk):
    """GET plugin/<pk>/info/: the plugin's metadata from its stored row. ?use_cache=false
    inspects the installed folder again (in a child process: plugin code, so only with
    rundb.install_plugin) and answers that without storing it (a GET changes nothing; a
    rescan stores it)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    try:
        use_cache = _flag(request, "use_cache", True)
    except ValueError as exc:
        return error(400, str(exc))
    if use_cache:
        return JsonResponse(info_dict(plugin))
    if plugin_result_from_request(request) is not None or not request.user.has_perm(INSTALL_PERMISSION):
        return error(403, f"Inspecting a plugin again runs its code: it needs {INSTALL_PERMISSION}.")
    if not _installed(plugin):
        return error(410, f"{plugin.name} {plugin.version} is not installed")
    try:
        fresh = inspect_plugin(plugin.path, strict_version=False)
    except PluginInspectError as exc:
        return error(422, exc.message)
    return JsonResponse(info_dict(plugin, fresh=fresh))


@endpoint("authenticated", methods=("GET",))
def plugin_lineage(request):
    """GET plugin/lineage/[?selected=true|false]: one entry per plugin name."""
    try:
        selected = _flag(request, "selected", None)
    except ValueError as exc:
        return error(400, str(exc))
    return JsonResponse(lineage(selected))


@endpoint("authenticated", methods=("GET",))
def plugin_history(request, pk):
    """GET plugin/<pk>/lineage/: every version of this plugin's name, the highest first."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    return JsonResponse(history(plugin))


def _type_entry(plugin):
    """{"files": [the plugin folder's entries], "input": instance page URL when it has one}."""
    folder = Path(plugin.path) if plugin.active and plugin.path else None
    if folder is None or not folder.is_dir() or folder.is_symlink():
        return None
    try:
        entry = {"files": sorted(n for n in os.listdir(folder) if n != "__pycache__")}
    except OSError:  # unreadable: answered as not installed (410), never a 500
        return None
    if (folder / "instance.html").is_file():
        entry["input"] = f"/configure/plugins/plugin/{plugin.pk}/configure/report/"
    return entry


@endpoint("authenticated", methods=("GET",))
def plugin_type(request, pk):
    """GET plugin/<pk>/type/: the plugin folder's files and its instance page (410 when the
    plugin is not installed)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    entry = _type_entry(plugin)
    if entry is None:
        return error(410, f"{plugin.name} {plugin.version} is not installed")
    return JsonResponse(entry)


MAX_SET = 200


@endpoint("authenticated", methods=("GET",))
def plugin_set_type(request, ids):
    """GET plugin/set/<pk>;<pk>/type/: {"<pk>": plugin/<pk>/type/ of each}; 410 when one of them
    is not installed (as the original). The original answers anonymous callers; here it needs
    authentication like every other read."""
    parts = [p for p in ids.split(";") if p.strip()]
    if not parts or len(parts) > MAX_SET or not all(p.strip().isdigit() and len(p.strip()) < 10 for p in parts):
        return error(400, f"Give 1 to {MAX_SET} plugin ids separated by ';'")
    pks = list(dict.fromkeys(int(p) for p in parts))
    plugins = Plugin.objects.in_bulk(pks)
    missing = [pk for pk in pks if pk not in plugins]
    if missing:
        return error(404, f"No plugin with id {', '.join(map(str, missing))}")
    out = {}
    for pk in pks:
        entry = _type_entry(plugins[pk])
        if entry is None:
            return error(410, f"{plugins[pk].name} {plugins[pk].version} is not installed")
        out[str(pk)] = entry
    return JsonResponse(out)


RUN_MODES = ("manual", "pipeline")


# Validating runs the plugin's own check in a child process, as launching does: the same right.
@endpoint("rundb.add_pluginresult", methods=("POST",), json_body=True)
def plugin_validate(request, pk):
    """POST plugin/<pk>/validate/ {"configuration": {...} or its JSON text, "run_mode":
    "manual"|"pipeline"} (JSON or form fields) -> {"issues": [...]}, the messages a launch
    with that configuration would record (plugin/services/validation.py)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    if not _installed(plugin):
        return error(410, f"{plugin.name} {plugin.version} is not installed")
    body = request.json_body or request.POST
    configuration = body.get("configuration")
    if configuration in (None, ""):
        configuration = {}
    if isinstance(configuration, str):
        try:
            configuration = json.loads(configuration)
        except ValueError:
            return error(400, "'configuration' must be a JSON object")
    if not isinstance(configuration, dict):
        return error(400, "'configuration' must be a JSON object")
    run_mode = body.get("run_mode") or "manual"
    if run_mode not in RUN_MODES:
        return error(400, f"'run_mode' must be one of {', '.join(RUN_MODES)}")
    if not str(plugin.script or "").endswith(".py"):
        return error(400, "Cannot validate a plugin without a plugin class.")
    return JsonResponse({"issues": validation_messages(plugin, configuration, run_mode)})


SHOW_SESSION_KEY = "plugin_hidden"
MAX_HIDDEN = 1000


def hidden_plugins(request):
    """Plugin names this browser session hid from the report's plugin list (plugin/show/)."""
    session = getattr(request, "session", None)
    names = session.get(SHOW_SESSION_KEY) if session is not None else None
    return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()


def _store_show(request, choices):
    for name, show in choices.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 512:
            return error(400, "Plugin names must be non-empty strings (at most 512 characters)")
        if not isinstance(show, bool):
            return error(400, f"The value for {name!r} must be true or false")
    hidden = set(hidden_plugins(request))
    for name, show in choices.items():
        (hidden.discard if show else hidden.add)(name)
    if len(hidden) > MAX_HIDDEN:
        return error(400, f"At most {MAX_HIDDEN} plugins can be hidden")
    request.session[SHOW_SESSION_KEY] = sorted(hidden)
    return HttpResponse(status=204)


@endpoint("authenticated", methods=("POST",), json_body=True)
def plugin_show(request):
    """POST plugin/show/ {"<plugin name>": true|false, ...}: per session (as the original), whether
    the report's plugin list (results/<pk>/pluginresults/ "show") shows that plugin. 204."""
    if not request.json_body:
        return error(400, 'Send {"<plugin name>": true|false, ...}')
    return _store_show(request, request.json_body)


@endpoint("authenticated", methods=("POST",), json_body=True)
def plugin_show_one(request, pk):
    """POST plugin/<pk>/show/ {"show": true|false}: plugin/show/ for this plugin's name."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    if set(request.json_body) != {"show"}:
        return error(400, 'Send {"show": true|false}')
    return _store_show(request, {plugin.name: request.json_body["show"]})


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
    return JsonResponse(list_pluginresults(result, major=major, hidden=hidden_plugins(request)), safe=False)


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


@endpoint("rundb.change_pluginresult", methods=("POST",))
def pluginresult_rescan(request, pk):
    """POST pluginresult/<pk>/rescan/: re-read the run's output folder (size, inodes, its
    results.json into the store). The original answers GET; here a GET changes nothing (405).
    A plugin key may rescan its own run only."""
    pr = PluginResult.objects.filter(pk=pk).select_related("plugin", "result__reportstorage").first()
    if pr is None:
        return error(404, f"No plugin result with id {pk}")
    key_run = plugin_result_from_request(request)
    if key_run is not None and key_run.pk != pr.pk:
        return error(403, "A plugin key may rescan its own run only.")
    try:
        summary = rescan_pluginresult(pr)
    except FileNotFoundError:
        return error(410, f"The output folder of plugin result {pk} is gone")
    return JsonResponse(summary, status=202)


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
