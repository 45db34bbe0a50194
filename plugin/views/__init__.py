"""HTTP views of the plugin framework (thin: parse, authorise, call a service, answer JSON).

Routes (plugin/urls.py) sit in front of the Tastypie API so that these specific paths win over
its generic detail routes. Authentication is rundb.api.auth's: session, Basic, ApiKey, or a
plugin run's own key. Every view goes through rundb.api.endpoint.endpoint (authentication,
method, permission, body limits; its ``ion_permission`` is checked by
tests/rundb/api/test_route_permissions.py). The work itself is done by plugin/services/, which the
API, the management commands and the job service share.

    install.py   install, upgrade, reinstall, uninstall, rescan (rundb.install_plugin)
    plugins.py   what is installed: info, lineage, type, validate, extend.py calls
    display.py   the per-session show/hide choice and the plugins' static media
    results.py   launching on a report, its plugin results, stop / rescan / delete of a run
"""
from .display import hidden_plugins, plugin_media, plugin_show, plugin_show_one
from .install import (
    plugin_install, plugin_install_to_version, plugin_rescan, plugin_rescan_plugin, plugin_uninstall, plugin_upgrade,
)
from .plugins import (
    plugin_extend, plugin_history, plugin_info, plugin_lineage, plugin_set_type, plugin_type, plugin_validate,
)
from .results import (
    pluginresult_delete, pluginresult_rescan, pluginresult_stop, results_barcodesampleinfo, results_plugin,
    results_pluginresults,
)

__all__ = [
    "hidden_plugins", "plugin_media", "plugin_show", "plugin_show_one",
    "plugin_install", "plugin_install_to_version", "plugin_rescan", "plugin_rescan_plugin", "plugin_uninstall",
    "plugin_upgrade",
    "plugin_extend", "plugin_history", "plugin_info", "plugin_lineage", "plugin_set_type", "plugin_type",
    "plugin_validate",
    "pluginresult_delete", "pluginresult_rescan", "pluginresult_stop", "results_barcodesampleinfo", "results_plugin",
    "results_pluginresults",
]
