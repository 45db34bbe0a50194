"""Default-selected plugins ("autorun" on the plugins page) in new plans.

Every way a plan is made calls `plan_plugins(...)`: the plannedexperiment API (POST, and a
plan copied from a template), the crawler's default plan for a run nobody planned
(pipeline/ingest/runs.py), and the web UI. As the original server does, a new plan's
`selectedPlugins` gets every plugin that is active, enabled (`selected`), installed and
`defaultSelected`, in its newest version, as

    {"id": <pk>, "name": <Name>, "version": <version>, "userInput": {}, "features": [...]}

An empty `userInput` is the plugin's default configuration: at launch the effective
configuration falls through to the global configuration, then the plugin's
pluginconfig.json (plugin/services/config.py). Existing plans are never changed, and system
plans (`isSystem`), plans transferred from another server (`origin` "transfer") and panel
imports (`origin` "ampliseq.com") get no defaults: they carry exactly what their source selected.

How a plan says no (the plan's own choice wins):
  * an entry the plan gives for a default plugin is kept as given (its own userInput);
  * `selectedPlugins: {"<Name>": null}` (or `false`) deselects that one default plugin; the
    entry is dropped, so the stored plan simply does not list it;
  * `include_plugin_default_selection: false` (a boolean, or "false"/"0"/"no") leaves every
    default out, as in the original's API (there the string "false" counted as true; here it
    means false).
"""
from rundb.models import Plugin

NO_DEFAULTS_ORIGINS = ("transfer", "ampliseq.com")
FALSE_WORDS = ("false", "f", "no", "n", "0", "off", "")


def default_selected_plugins():
    """{name: newest active, enabled, installed, default-selected Plugin row}, by name."""
    from plugin.introspect import compare_versions

    best = {}
    for row in Plugin.objects.filter(active=True, selected=True, defaultSelected=True).exclude(path=""):
        if row.name not in best or compare_versions(row.version, best[row.name].version) > 0:
            best[row.name] = row
    return dict(sorted(best.items()))


def plan_entry(plugin, user_input=None):
    """The selectedPlugins entry of `plugin` (default configuration: empty userInput)."""
    return {
        "id": plugin.pk,
        "name": plugin.name,
        "version": plugin.version,
        "userInput": user_input if user_input is not None else {},
        "features": list((plugin.pluginsettings or {}).get("features") or []),
    }


def wants_defaults(value):
    """The plan body's `include_plugin_default_selection` (absent or None: yes)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() not in FALSE_WORDS
    return bool(value)


def plan_plugins(selected, *, include_defaults=True, origin="", is_system=False):
    """`selected` (a new plan's selectedPlugins, possibly with deselections) with the
    default-selected plugins added; deselection markers (null/false entries) removed."""
    selected = selected if isinstance(selected, dict) else {}
    out = {name: entry for name, entry in selected.items() if entry not in (None, False)}
    origin = str(origin or "").split("|", 1)[0].strip().lower()
    if is_system or origin in NO_DEFAULTS_ORIGINS or not wants_defaults(include_defaults):
        return out
    for name, plugin in default_selected_plugins().items():
        if name not in selected:  # given (kept as is) or deselected (left out)
            out[name] = plan_entry(plugin)
    return out
