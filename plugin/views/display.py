"""What the browser shows: the per-session choice of plugins hidden from a report's plugin list,
and the plugins' own static files."""
import mimetypes
import os
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse

from rundb.api.endpoint import endpoint, error
from rundb.models import Plugin

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
