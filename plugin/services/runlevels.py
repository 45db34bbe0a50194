"""Pipeline run levels: launch the plan's plugins that belong at one moment of an analysis.

The pipeline calls `launch_runlevel(result, level)` at PRE, BLOCK (per finished block),
SEPARATOR, DEFAULT, POST and LAST. A plugin runs when it is selected in the plan
(selectedPlugins), installed, active and enabled, declares this level (no levels = default)
and accepts the report type: empty `runtypes` means wholechip and thumbnail only. Plugins
are ordered so that dependencies come first; EXPORT plugins go last. A dependency that the plan
does not select is not launched (SDK manual, "Dependencies"). A multi-level plugin keeps one
PluginResult across levels: later levels add jobs to the run started at an earlier level.
"""
import logging

from rundb.versions import compare_versions
from rundb.models import Plugin, PluginResult

from .config import plan_selected_plugins
from .launch import (EXPORT, RUN_LEVELS, PluginLaunchError, declared_runlevels, has_feature, launch_plugin,
                     new_session)
from .reportinfo import COMPOSITE, THUMBNAIL, WHOLECHIP, block_ids, report_type

log = logging.getLogger(__name__)


def installed_plugins(names=None):
    """{name: newest active, enabled, installed Plugin row}."""
    rows = Plugin.objects.filter(active=True, selected=True).exclude(path="")
    if names is not None:
        rows = rows.filter(name__in=list(names))
    best = {}
    for row in rows:
        if row.name not in best or compare_versions(row.version, best[row.name].version) > 0:
            best[row.name] = row
    return best


def accepts_report_type(plugin, rtype):
    runtypes = (plugin.pluginsettings or {}).get("runtypes") or []
    if not runtypes:
        return rtype in (WHOLECHIP, THUMBNAIL)
    return rtype in runtypes


def dependency_order(plugins):
    """Plugins sorted so each comes after the selected plugins it depends on (cycles ignored),
    keeping the given order otherwise; EXPORT plugins moved to the end."""
    by_name = {p.name: p for p in plugins}
    ordered, state = [], {}

    def visit(p):
        if state.get(p.name):
            return  # done, or on the stack (a cycle): ignore
        state[p.name] = "visiting"
        for dep in (p.pluginsettings or {}).get("depends") or []:
            if dep in by_name:
                visit(by_name[dep])
        state[p.name] = "done"
        ordered.append(p)

    for p in plugins:
        visit(p)
    return [p for p in ordered if not has_feature(p, EXPORT)] + [p for p in ordered if has_feature(p, EXPORT)]


def plugins_for_runlevel(result, runlevel):
    """The plan's plugins that run at `runlevel` on this report, in launch order."""
    if runlevel not in RUN_LEVELS:
        raise ValueError(f"Unknown run level {runlevel!r}; use one of {', '.join(RUN_LEVELS)}")
    selected = plan_selected_plugins(result)
    if not selected:
        return []
    rtype = report_type(result)
    if runlevel == "block" and rtype != COMPOSITE:
        return []
    installed = installed_plugins(selected.keys())
    chosen = []
    for name, entry in selected.items():
        if entry in (None, False):  # a deselection marker (rundb/plan_defaults.py)
            continue
        plugin = installed.get(name)
        if plugin is None:
            log.warning("plan selects plugin %s, which is not installed and enabled; skipped", name)
            continue
        if not accepts_report_type(plugin, rtype):
            continue
        if runlevel not in declared_runlevels(plugin):
            continue
        chosen.append(plugin)
    return dependency_order(chosen)


def _run_to_continue(result, plugin, runlevel, block_id):
    """The run of a multi-level plugin started at an earlier level of this pipeline, if any."""
    levels = declared_runlevels(plugin)
    earlier = set(levels[: levels.index(runlevel)])
    if runlevel == "block":
        earlier.add("block")  # the other blocks of this run
    if not earlier:
        return None
    pr = PluginResult.objects.filter(result=result, plugin__name=plugin.name).order_by("-pk").first()
    if pr is None:
        return None
    jobs = list(pr.plugin_result_jobs.all())
    if not any(j.run_level in earlier for j in jobs):
        return None
    if runlevel == "block":
        taken = any(j.run_level == "block" and j.work_dir.endswith(f"/block_{block_id}/plugin_out/{plugin.name}_out.{pr.pk}")
                    for j in jobs)
        return None if taken else pr
    return None if any(j.run_level == runlevel for j in jobs) else pr


def launch_runlevel(result, runlevel, *, block_id=None, user=None, session=None):
    """Launch the plan's plugins for `runlevel` (BLOCK: `block_id`, else every block) in
    pipeline mode; returns the PluginResults that got new jobs. `session`: the pipeline run's
    launch session (LAST and EXPORT plugins wait for the jobs of that session only; None: a new
    session for the plugins of this call). A plugin
    that cannot be launched is logged and skipped so the pipeline carries on."""
    launched = []
    session = session or new_session("pipeline")  # None: this call's plugins are one session
    blocks = [block_id] if block_id else (block_ids(result) if runlevel == "block" else [None])
    for plugin in plugins_for_runlevel(result, runlevel):
        for bid in blocks:
            existing = _run_to_continue(result, plugin, runlevel, bid)
            try:
                pr = launch_plugin(
                    result, plugin, user=user, run_mode="pipeline", run_level=runlevel,
                    pluginresult=existing, block_id=bid, session=session,
                )
            except PluginLaunchError as exc:
                log.error("plugin %s not launched at %s on report %s: %s", plugin.name, runlevel, result.pk, exc)
                continue
            except Exception:  # the pipeline must carry on with the other plugins
                log.exception("plugin %s failed to launch at %s on report %s", plugin.name, runlevel, result.pk)
                continue
            if pr not in launched:
                launched.append(pr)
    return launched


def find_plugins(spec):
    """Plugin rows a manual launch names (`plugin` of POST results/<pk>/plugin/): a name, a
    list of names and ids, an id, or {"id"|"name"|"version": ...}; installed and enabled only.
    Raises ValueError (a malformed spec) or LookupError (no such plugin)."""
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
    plugins = []
    for name in spec if isinstance(spec, list) else [spec]:
        if isinstance(name, int) and not isinstance(name, bool):
            plugins.extend(find_plugins(name))  # an id is taken as given
            continue
        plugin = _named_plugin(name)
        if plugin not in plugins:
            plugins.append(plugin)
    return plugins


def _named_plugin(name):
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'plugin' names must be non-empty strings")
    plugin = installed_plugins([name.strip()]).get(name.strip())
    if plugin is None:
        raise LookupError(f"Plugin {name!r} is not installed or not enabled")
    return plugin
