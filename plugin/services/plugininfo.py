"""Read-only views of installed plugins: ``plugin/<pk>/info/`` and the lineages.

Everything comes from the stored Plugin rows (filled from the plugin's `--inspect` output at
install or rescan, plugin/introspect.py); the web process never imports plugin code.
"""
import functools
import os
from pathlib import Path

from django.db.models import Count

from rundb.versions import compare_versions, newest
from rundb.models import Plugin

from .config import archive_dir

API = "/rundb/api/v1"
INFO_META = "IonPlugin Definition format 1.0"
CAPABILITIES = ("isConfig", "isPlanConfig", "isInstance", "hasAbout")
SETTINGS = ("runtypes", "runlevels", "features", "depends")


def _iso(value):
    return value.isoformat() if value else None


def plugin_json(plugin):
    """The plugin row as the install, upgrade and reinstall endpoints answer it."""
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


def type_entry(plugin):
    """plugin/<pk>/type/: {"files": [the plugin folder's entries], "input": instance page URL
    when it has one}, or None when the plugin is not installed."""
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


def info_dict(plugin, fresh=None):
    """The original's ``info`` object for `plugin`: _meta, name, version, config (the plugin's
    user input fields), runtypes, runlevels, features, depends, docs, major_block, pluginorm
    (the row's pk) and requires_configuration, plus the capability flags (which optional
    pages it has), active and script. `fresh` is a just-inspected info dict (not stored)."""
    meta = dict(plugin.metadata or {})
    settings = dict(plugin.pluginsettings or {})
    if fresh is not None:
        meta = dict(fresh)
        settings = dict(fresh.get("pluginsettings") or {})
    caps = {flag: bool(fresh.get(flag) if fresh is not None else getattr(plugin, flag)) for flag in CAPABILITIES}
    return {
        "_meta": INFO_META,
        "name": plugin.name,
        "version": str(fresh.get("version") or plugin.version) if fresh is not None else plugin.version,
        "config": meta.get("config") if fresh is not None else (plugin.userinputfields or meta.get("config") or {}),
        **{key: list(settings.get(key) or []) for key in SETTINGS},
        "docs": meta.get("docs") or (plugin.description if fresh is None else "") or "",
        "major_block": bool(meta.get("major_block")) if fresh is not None else bool(plugin.majorBlock),
        "pluginorm": plugin.pk,
        "requires_configuration": bool(meta.get("requires_configuration")),
        **caps,
        "active": plugin.active,
        "script": meta.get("script") or plugin.script,
    }


def _version_key():
    return functools.cmp_to_key(compare_versions)


def lineage(selected=None):
    """One entry per plugin name (the original's ``plugin/lineage/``), sorted by name.

    The entry describes the installed (active) version; a name with no active version is
    listed only when one of its versions came from a package (packageName), as the original
    does, with CurrentVersion "None". `selected` (True/False) keeps the entries whose plugin
    is (not) enabled."""
    by_name = {}
    for row in Plugin.objects.order_by("pk"):
        by_name.setdefault(row.name, []).append(row)
    objects = []
    for name in sorted(by_name, key=str.lower):
        rows = by_name[name]
        current = newest(r for r in rows if r.active)
        if current is None and not any(r.packageName for r in rows):
            continue
        shown = current or newest(rows)
        entry = {
            "name": name,
            "id": shown.pk,
            "CurrentVersion": current.version if current else "None",
            "date": _iso(shown.date),
            "isSupported": bool(shown.isSupported),
            "availableVersions": sorted({r.version for r in rows}, key=_version_key()),
            "isUpgradable": False,  # no package feed: upgrades come as zips (plugin/<pk>/upgrade/)
            **{flag: bool(getattr(shown, flag)) for flag in CAPABILITIES},
            "selected": shown.selected,
            "defaultSelected": shown.defaultSelected,
        }
        if selected is not None and entry["selected"] != selected:
            continue
        objects.append(entry)
    meta = {"limit": 1000, "next": None, "offset": 0, "previous": None, "total_count": len(objects)}
    return {"meta": meta, "objects": objects}


def history(plugin):
    """Every version of `plugin`'s name this server has had (``plugin/<pk>/lineage/``), the
    highest first: which is installed, when, how it came, whether the previous folder is kept
    under archive/<Name>/ (install.py keeps it on upgrade), and how many runs each has."""
    rows = list(Plugin.objects.filter(name=plugin.name).annotate(runs=Count("pluginresult_set")))
    rows.sort(key=lambda r: _version_key()(r.version), reverse=True)
    kept = archive_dir() / plugin.name
    current = newest(r for r in rows if r.active)
    versions = []
    for row in rows:
        archived = bool(row.path) and not row.active and Path(row.path).parent == kept and Path(row.path).is_dir()
        versions.append({
            "id": row.pk,
            "version": row.version,
            "active": row.active,
            "current": current is not None and row.pk == current.pk,
            "date": _iso(row.date),
            "installed_from": (row.status or {}).get("installed_from", ""),
            "archived": archived,
            "runs": row.runs,
            "resource_uri": f"/rundb/api/v1/plugin/{row.pk}/",
        })
    return {"name": plugin.name, "CurrentVersion": current.version if current else "None", "versions": versions}
