"""Where plugins live, how jobs call back, and which configuration a run gets.

Configuration precedence (SDK manual, "Configuration"): a manual run uses the instance
config (the POSTed `pluginconfig`), else the global config (`Plugin.config`); a pipeline run
uses the plan config (`selectedPlugins[<Name>].userInput`), else the global config. When
both are empty, the plugin's own `pluginconfig.json` is the last resort, then `{}`.
There is no merging: the first non-empty source wins.
"""
import contextvars
import json
import logging
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import DisallowedHost

log = logging.getLogger(__name__)

RUN_MODES = ("manual", "pipeline")
GLOBALCONFIG = {"debug": 0, "MEM_MAX": "15G"}
OUTPUT_FOLDER = "plugin_out"


def plugin_root():
    return Path(settings.ION_PLUGIN_ROOT)


def scratch_dir():
    """Upload staging and unpacking area (reserved name, never a plugin)."""
    return plugin_root() / "scratch"


def archive_dir():
    """Old versions kept on upgrade: archive/<Name>/<version>/ (reserved name)."""
    return plugin_root() / "archive"


def plugin_python():
    """Interpreter for plugin processes (settings.ION_PLUGIN_PYTHON, else the server's)."""
    return getattr(settings, "ION_PLUGIN_PYTHON", None) or sys.executable


# The request being served on this thread (plugin/middleware.py), so a launch made through
# the API can call back on the address the server was really reached at.
current_request = contextvars.ContextVar("ion_current_request", default=None)


def request_location():
    """scheme://host[:port] of the request being served, or "" outside a request."""
    request = current_request.get()
    if request is None:
        return ""
    try:
        return request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:
        return ""


def is_installed(plugin):
    """The row is active and its folder is on disk."""
    return bool(plugin.active and plugin.path and Path(plugin.path).is_dir())


def net_location(global_config=None):
    """Protocol+host jobs use to reach this server: GlobalConfig.web_root, else the
    ION_NET_LOCATION setting, else the launching request's own host, else the default.
    `global_config`: the GlobalConfig row when the caller has read it already."""
    from rundb.models import GlobalConfig

    web_root = ((global_config or GlobalConfig.get()).web_root or "").strip()
    location = web_root or settings.ION_NET_LOCATION or request_location() or settings.ION_DEFAULT_NET_LOCATION
    return location.rstrip("/")


def api_url(location=None):
    return (location or net_location()) + "/rundb/api"


def plan_selected_plugins(result):
    """The plan's selected plugins ({Name: {id, name, version, userInput, ...}}) of a report."""
    eas = result.eas
    if eas is None and result.experiment_id:
        eas = result.experiment.eas_set.order_by("-id").first()
    plan = result.experiment.plan if result.experiment_id and result.experiment.plan_id else None
    return selected_plugins(eas, plan)


def selected_plugins(eas, plan):
    """The settings' selectedPlugins, else the plan's ({} unless a JSON object)."""
    selected = (eas.selectedPlugins if eas is not None else None) or {}
    if not selected and plan is not None:
        selected = plan.selectedPlugins or {}
    return selected if isinstance(selected, dict) else {}


def plan_entry(selected, plugin_name):
    """The plugin's entry in a selectedPlugins map (plan_selected_plugins), or None."""
    entry = selected.get(plugin_name)
    return entry if isinstance(entry, dict) else None


def plan_user_input(selected, plugin_name):
    entry = plan_entry(selected, plugin_name)
    if not entry:
        return ""
    user_input = entry.get("userInput", "")
    return user_input if user_input not in (None,) else ""


def default_config_file(plugin):
    """Contents of <plugin>/pluginconfig.json, or {} when absent or unreadable."""
    if not plugin.path:
        return {}
    path = Path(plugin.path) / "pluginconfig.json"
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return {}
    return value if isinstance(value, dict) else {}


def effective_config(plugin, *, run_mode, instance_config=None, plan_config=None):
    """(config, source) for a run; source is instance|plan|global|file|none."""
    if run_mode not in RUN_MODES:
        raise ValueError(f"run_mode must be one of {RUN_MODES}, not {run_mode!r}")
    first = ("instance", instance_config) if run_mode == "manual" else ("plan", plan_config)
    for source, value in (first, ("global", plugin.config)):
        if value:
            return value, source
    value = default_config_file(plugin)
    if value:
        return value, "file"
    return {}, "none"
