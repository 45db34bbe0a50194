"""A report's plugins: launching on it, its plugin results and barcodes.json, and stopping,
rescanning or deleting one run."""
import logging

from django.http import JsonResponse

from rundb.api.auth import plugin_result_from_request
from rundb.api.endpoint import endpoint, error
from rundb.models import PluginResult, Results
from rundb.paths import UnsafeName, UnsafePath

from ..services.barcodes_json import build_barcodes_json
from ..services.launch import PluginLaunchError, launch_owner, launch_plugin, new_session
from ..services.pluginresults import (
    PluginResultBusy, delete_pluginresult, launch_summary, list_pluginresults, request_stop, rescan_pluginresult,
)
from ..services.runlevels import find_plugins
from .display import hidden_plugins

log = logging.getLogger(__name__)


def _launch_request(request):
    """(owner, plugins, pluginconfig, pluginresult to rerun) of POST results/<pk>/plugin/.
    Raises PermissionError, LookupError or ValueError."""
    body = request.json_body
    if "plugin" not in body:
        raise ValueError("'plugin' is required: a name, a list of names or an id")
    config = body.get("pluginconfig")
    if config in ("", None):
        config = None
    elif not isinstance(config, dict):
        raise ValueError("'pluginconfig' must be a JSON object")
    owner = launch_owner(request.user, body.get("owner") or body.get("username"))
    plugins = find_plugins(body["plugin"])
    rerun = body.get("pluginresult")
    if rerun is not None and (len(plugins) != 1 or isinstance(rerun, bool) or not isinstance(rerun, int)):
        raise ValueError("'pluginresult' must be the integer id of a run of the (single) plugin given")
    return owner, plugins, config, rerun


@endpoint("rundb.add_pluginresult", methods=("POST",), json_body=True)
def results_plugin(request, pk):
    """POST results/<pk>/plugin/ {"plugin": [names] | name | id, "pluginconfig": {...}}."""
    result = Results.objects.filter(pk=pk).select_related("reportstorage", "experiment", "eas").first()
    if result is None:
        return error(404, f"No report with id {pk}")
    try:
        owner, plugins, config, rerun = _launch_request(request)
    except PermissionError as exc:
        return error(403, str(exc))
    except LookupError as exc:
        return error(410, str(exc))
    except ValueError as exc:
        return error(400, str(exc))
    launched = []
    session = new_session()  # one request, one session: its LAST/EXPORT plugins wait for the others
    for plugin in plugins:
        try:
            launched.append(launch_plugin(result, plugin, user=owner, pluginconfig=config, run_mode="manual",
                                          pluginresult=rerun, session=session))
        except (PluginLaunchError, UnsafeName, UnsafePath, OSError) as exc:
            return _launch_refused(exc, result, plugin, launched)
    summaries = [launch_summary(pr) for pr in launched]
    return JsonResponse({**summaries[0], "pluginresults": summaries}, status=202)


def _launch_refused(exc, result, plugin, launched):
    """The error answer of a failed launch, listing the runs this request launched before it."""
    done = [launch_summary(p) for p in launched]
    if isinstance(exc, PluginLaunchError):
        return error(400, exc.message, launched=done)
    if isinstance(exc, (UnsafeName, UnsafePath)):  # a folder name from the database would leave its root
        return error(400, str(exc), launched=done)
    log.exception("launching %s on report %s", plugin.name, result.pk)
    # A full or read-only disk is the server's condition, not the client's: 507 with the reason.
    return error(507, f"Cannot write the plugin output folder: {exc.strerror or exc}", launched=done)


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
    try:
        delete_pluginresult(pr)
    except PluginResultBusy as exc:
        return error(409, str(exc))
    return JsonResponse({"deleted": pk})
