"""What is installed: a plugin's metadata and lineage, its folder's files, validating a
configuration against it, and calls into its extend.py."""
import json

from django.http import JsonResponse

from rundb.api.auth import plugin_result_from_request
from rundb.api.endpoint import endpoint, error
from rundb.models import Plugin

from ..introspect import PluginInspectError, inspect_plugin
from ..services.config import RUN_MODES, is_installed
from ..services.extend import ExtendError, call_extend, make_bucket
from ..services.plugininfo import history, info_dict, lineage, type_entry
from ..services.validation import validation_messages
from .install import INSTALL_PERMISSION

MAX_SET = 200


def _flag(request, name, default):
    """A true/false query parameter; ValueError for anything else."""
    value = request.GET.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise ValueError(f"{name} must be true or false")
    return value in ("true", "1")


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
    if not is_installed(plugin):
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


@endpoint("authenticated", methods=("GET",))
def plugin_type(request, pk):
    """GET plugin/<pk>/type/: the plugin folder's files and its instance page (410 when the
    plugin is not installed)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    entry = type_entry(plugin)
    if entry is None:
        return error(410, f"{plugin.name} {plugin.version} is not installed")
    return JsonResponse(entry)


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
        entry = type_entry(plugins[pk])
        if entry is None:
            return error(410, f"{plugins[pk].name} {plugins[pk].version} is not installed")
        out[str(pk)] = entry
    return JsonResponse(out)


def _configuration(body):
    """The "configuration" of a validate request as a dict; ValueError when it is not one."""
    configuration = body.get("configuration")
    if configuration in (None, ""):
        return {}
    if isinstance(configuration, str):
        try:
            configuration = json.loads(configuration)
        except ValueError:
            raise ValueError("'configuration' must be a JSON object") from None
    if not isinstance(configuration, dict):
        raise ValueError("'configuration' must be a JSON object")
    return configuration


# Validating runs the plugin's own check in a child process, as launching does: the same right.
@endpoint("rundb.add_pluginresult", methods=("POST",), json_body=True)
def plugin_validate(request, pk):
    """POST plugin/<pk>/validate/ {"configuration": {...} or its JSON text, "run_mode":
    "manual"|"pipeline"} (JSON or form fields) -> {"issues": [...]}, the messages a launch
    with that configuration would record (plugin/services/validation.py)."""
    plugin = Plugin.objects.filter(pk=pk).first()
    if plugin is None:
        return error(404, f"No plugin with id {pk}")
    if not is_installed(plugin):
        return error(410, f"{plugin.name} {plugin.version} is not installed")
    body = request.json_body or request.POST
    try:
        configuration = _configuration(body)
    except ValueError as exc:
        return error(400, str(exc))
    run_mode = body.get("run_mode") or "manual"
    if run_mode not in RUN_MODES:
        return error(400, f"'run_mode' must be one of {', '.join(RUN_MODES)}")
    if not str(plugin.script or "").endswith(".py"):
        return error(400, "Cannot validate a plugin without a plugin class.")
    return JsonResponse({"issues": validation_messages(plugin, configuration, run_mode)})


@endpoint("rundb.change_plugin", methods=("GET", "POST"), json_body=True)
def plugin_extend(request, ident, function):
    """Calls a function of the plugin's extend.py as the authenticated user (never a user named
    in the query). GET and POST as the SDK's clients use them; the function is plugin code."""
    rows = Plugin.objects.filter(active=True).exclude(path="")
    plugin = rows.filter(pk=int(ident)).first() if ident.isdigit() else rows.filter(name=ident).order_by("-date").first()
    if plugin is None:
        return error(404, f"No installed plugin {ident!r}")
    body = request.json_body if request.method == "POST" else None
    bucket = make_bucket(plugin, method=request.method, query=request.GET.dict(), body=body,
                         user=request.user.get_username())
    try:
        value = call_extend(plugin, function, bucket)
    except ExtendError as exc:
        return error(exc.status, exc.message)
    return JsonResponse(value, safe=False, json_dumps_params={"default": str})
