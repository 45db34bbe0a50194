"""Installing, upgrading, reinstalling, uninstalling and rescanning plugins. Each runs plugin
code as the server, so it needs ``rundb.install_plugin`` (superusers; not in the ionusers
group) and never a plugin key."""
from django.conf import settings
from django.http import JsonResponse

from rundb.api.endpoint import endpoint, error
from rundb.models import Plugin

from rundb.versions import newest
from ..services.install import (
    PluginInstallError, install_archived_version, install_from_zip, rescan, rescan_plugin, uninstall,
)
from ..services.plugininfo import plugin_json
from ..services.uploads import stage_upload, uploaded_file

DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024
INSTALL_PERMISSION = "rundb.install_plugin"


def max_upload():
    return int(getattr(settings, "ION_PLUGIN_MAX_UPLOAD", DEFAULT_MAX_UPLOAD))


def _max_body():
    # A multipart upload is limited by max_upload (plus the form's own bytes); JSON bodies are tiny.
    return max_upload() + 64 * 1024


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
            return stage_upload(upload)
        body = request.json_body
        if not body.get("file"):
            raise _Refused(400, "Send the plugin zip as the multipart field 'file'")
        staged = uploaded_file(body["file"])
        if not staged.name.lower().endswith(".zip"):
            staged.unlink(missing_ok=True)
            raise _Refused(400, "Only .zip plugin archives can be installed here")
        return staged
    except ValueError as exc:
        raise _Refused(400, str(exc)) from None


def _install_received(request, **kwargs):
    """Install the request's zip (never kept); (Plugin row, None) or (None, error response)."""
    try:
        staged = _received_zip(request)
    except _Refused as exc:
        return None, exc.response
    try:
        return install_from_zip(staged, user=request.user, **kwargs), None
    except PluginInstallError as exc:
        return None, error(400, exc.message)
    finally:
        staged.unlink(missing_ok=True)


@endpoint(INSTALL_PERMISSION, methods=("POST",), json_body=True, max_body=_max_body, allow_plugin_key=False)
def plugin_install(request):
    plugin, refused = _install_received(request)
    if refused is not None:
        return refused
    return JsonResponse(plugin_json(plugin), status=201)


@endpoint(INSTALL_PERMISSION, methods=("POST",), json_body=True, max_body=_max_body, allow_plugin_key=False)
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
    new, refused = _install_received(request, expected_name=plugin.name)
    if refused is not None:
        return refused
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
