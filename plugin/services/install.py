"""Install, upgrade, uninstall and rescan plugins under <ION_PLUGIN_ROOT>/<Name>.

The zip is checked and unpacked into a scratch folder on the same file system (plugin.archive),
its metadata is read by running the plugin in a subprocess (plugin.introspect), and only then is
the folder renamed into place, so a refused archive never touches the installed tree. An
upgrade keeps the previous folder under archive/<Name>/<old version>/ and carries the global
config over; an equal or lower version is refused. Rows are never deleted: uninstall marks them
inactive. One file lock serialises all changes to the plugin tree across processes.
"""
import fcntl
import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from plugin import precompile
from plugin.archive import RESERVED_NAMES, PluginArchiveError, validate_and_extract
from plugin.introspect import PluginInspectError, find_plugin_script, inspect_plugin
from rundb.versions import compare_versions
from rundb.errors import ReasonError
from rundb.models import Plugin

from .config import archive_dir, default_config_file, plugin_root, scratch_dir
from .scratch import in_use, root_lock

log = logging.getLogger(__name__)

LOCK_NAME = ".install.lock"


class PluginInstallError(ReasonError, ValueError):
    """An install/upgrade was refused; str(exc) is the reason shown to the user."""


def plugin_tree_lock():
    """Exclusive: one install, upgrade, uninstall or rescan changes the plugin tree at a time."""
    return root_lock(LOCK_NAME, fcntl.LOCK_EX)


def _move_into_place(folder, name, installed, what):
    """Make ``folder`` the plugin's folder <plugin root>/<name>, first moving what is there
    aside (named by the installed row's version); (dest, archived folder or None). On a
    failure the old folder is put back and PluginInstallError says so."""
    dest = plugin_root() / name
    archived = None
    if dest.exists() or dest.is_symlink():
        archived = _free_archive_path(name, installed.version if installed else "unregistered")
        os.rename(dest, archived)
    try:
        os.rename(folder, dest)
    except OSError as exc:
        if archived is not None:
            os.rename(archived, dest)
        raise PluginInstallError(f"Cannot move {what} into place: {exc}") from None
    return dest, archived


def _inside(parent, path):
    parent, path = os.path.realpath(parent), os.path.realpath(path)
    return os.path.commonpath([parent, path]) == parent and parent != path


def _free_archive_path(name, version):
    """archive/<Name>/<version>/, with a numeric suffix when that one is already taken."""
    base = archive_dir() / name
    base.mkdir(parents=True, exist_ok=True)
    label = str(version or "unknown").replace("/", "_") or "unknown"
    candidate = base / label
    n = 1
    while candidate.exists() or candidate.is_symlink():
        candidate = base / f"{label}.{n}"
        n += 1
    return candidate


def _remove_tree(path):
    """Delete a plugin folder: rename it into scratch first so the name frees up atomically."""
    path = Path(path)
    if not (path.exists() or path.is_symlink()):
        return
    if path.is_symlink():
        path.unlink()
        return
    scratch = scratch_dir()
    scratch.mkdir(parents=True, exist_ok=True)
    with in_use():
        trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=scratch))
        try:
            os.rename(path, trash / path.name)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)


def _apply_info(row, info, folder):
    """Copy discovered metadata onto a Plugin row (not saved)."""
    row.pluginsettings = dict(info["pluginsettings"])
    row.majorBlock = bool(info.get("major_block"))
    row.description = info.get("docs") or info.get("description") or ""
    row.userinputfields = info.get("config") or {}
    row.isConfig = bool(info.get("isConfig"))
    row.isInstance = bool(info.get("isInstance"))
    row.isPlanConfig = bool(info.get("isPlanConfig"))
    row.hasAbout = bool(info.get("hasAbout"))
    row.metadata = {k: v for k, v in info.items() if k not in ("isConfig", "isInstance", "isPlanConfig", "hasAbout")}
    row.path = str(folder)
    row.script = info["script"]
    row.active = True


def _active_row(name):
    rows = list(Plugin.objects.filter(name=name, active=True))
    if not rows:
        return None
    best = rows[0]
    for row in rows[1:]:
        if compare_versions(row.version, best.version) > 0:
            best = row
    return best


def install_from_zip(zip_path, *, user=None, expected_name=None):
    """Install or upgrade the plugin in `zip_path`; returns the active Plugin row.

    `expected_name` (an upgrade of one installed plugin) refuses a zip of another plugin.
    Raises PluginInstallError (a ValueError) with the reason when the archive or the plugin
    is refused; in that case nothing outside the scratch folder has changed."""
    with in_use():  # what this leaves in scratch/ is live until it returns (services/scratch.py)
        return _install_from_zip(zip_path, user=user, expected_name=expected_name)


def _install_from_zip(zip_path, *, user=None, expected_name=None):
    scratch = scratch_dir()
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        extracted = validate_and_extract(zip_path, scratch)
    except PluginArchiveError as exc:
        raise PluginInstallError(exc.message) from None
    try:
        if expected_name is not None and extracted.name != expected_name:
            raise PluginInstallError(
                f"This archive holds the plugin {extracted.name!r}, not {expected_name!r}: "
                "an upgrade must be a newer version of the same plugin"
            )
        try:
            info = inspect_plugin(extracted.folder_path)
        except PluginInspectError as exc:
            raise PluginInstallError(exc.message) from None
        with plugin_tree_lock():
            return _install_extracted(extracted.name, extracted.folder_path, info, user=user)
    finally:
        extracted.cleanup()


def _install_extracted(name, new_folder, info, *, user=None):
    version = info["version"]
    old = _active_row(name)
    if old is not None and compare_versions(version, old.version) <= 0:
        verb = "reinstall" if compare_versions(version, old.version) == 0 else "downgrade"
        raise PluginInstallError(
            f"Cannot install {name} {version}: version {old.version} is installed and this would be a {verb}; "
            "only a higher version can be installed (uninstall first to go back)"
        )
    dest, archived = _move_into_place(new_folder, name, old, f"{name}")
    precompile(dest)
    try:
        with transaction.atomic():
            row = _save_installed_row(name, version, dest, info, old=old, archived=archived, user=user)
    except Exception:
        # Put the tree back the way it was before re-raising.
        _remove_tree(dest)
        if archived is not None:
            os.rename(archived, dest)
        raise
    log.info("installed plugin %s %s at %s", name, version, dest)
    return row


def _save_installed_row(name, version, dest, info, *, old, archived, user):
    row, created = Plugin.objects.select_for_update().get_or_create(name=name, version=version)
    previous_config = row.config if not created else None
    _apply_info(row, info, dest)
    row.date = timezone.now()
    row.selected = True
    row.url = ""
    row.packageName = ""
    row.isSupported = False
    row.status = {"installed_from": "zip", "installed_by": getattr(user, "username", None) or ""}
    if old is not None and old.pk != row.pk:
        row.defaultSelected = old.defaultSelected
    # Global config: the previous version's, else this row's own (reinstall), else pluginconfig.json.
    if old is not None and old.config:
        row.config = old.config
    elif previous_config:
        row.config = previous_config
    else:
        row.config = default_config_file(row)
    row.save()
    others = Plugin.objects.filter(name=name).exclude(pk=row.pk)
    if old is not None and old.pk != row.pk:
        old_path = str(archived) if archived is not None else ""
        Plugin.objects.filter(pk=old.pk).update(active=False, path=old_path)
    others.filter(active=True).update(active=False)
    others.filter(path=str(dest)).update(path="")
    return row


def install_archived_version(plugin, version, *, user=None):
    """Make `version` of `plugin`'s name the installed one again, from the copy kept under
    archive/<Name>/ when a later version replaced it (``plugin/<pk>/<version>/install_to_version/``;
    the original installs any packaged version there, older ones included). The installed
    folder is archived in turn and the global config carries over, as on an upgrade. Raises
    LookupError (no such version), FileNotFoundError (no archived copy) or PluginInstallError
    (already installed, or the folder cannot be moved)."""
    with in_use(), plugin_tree_lock():
        target = Plugin.objects.filter(name=plugin.name, version=version).first()
        if target is None:
            raise LookupError(f"{plugin.name} has never had version {version!r}")
        current = _active_row(plugin.name)
        if current is not None and current.pk == target.pk:
            raise PluginInstallError(f"{plugin.name} {version} is already installed")
        kept = archive_dir() / plugin.name
        source = Path(target.path) if target.path else None
        if source is None or source.parent != kept or not source.is_dir() or source.is_symlink():
            raise FileNotFoundError(f"No copy of {plugin.name} {version} is kept under archive/")
        # The kept folder is named by version, so the row's script name says what to look for.
        script = Path(target.script or "").name
        if not script or script != target.script or not (source / script).is_file():
            raise FileNotFoundError(f"The kept copy of {plugin.name} {version} has no plugin script")
        dest, archived = _move_into_place(source, plugin.name, current, f"{plugin.name} {version}")
        precompile(dest)
        try:
            with transaction.atomic():
                row = Plugin.objects.select_for_update().get(pk=target.pk)
                if current is not None:
                    if current.config:
                        row.config = current.config
                    row.selected, row.defaultSelected = current.selected, current.defaultSelected
                    Plugin.objects.filter(pk=current.pk).update(
                        active=False, path=str(archived) if archived is not None else "")
                row.active, row.path, row.date = True, str(dest), timezone.now()
                row.status = dict(row.status or {}, installed_from="archive",
                                  installed_by=getattr(user, "username", None) or "")
                row.save()
                Plugin.objects.filter(name=plugin.name, active=True).exclude(pk=row.pk).update(active=False)
        except Exception:
            os.rename(dest, source)
            if archived is not None:
                os.rename(archived, dest)
            raise
        log.info("installed plugin %s %s again from its archived copy", plugin.name, version)
        return row, current


def uninstall(plugin):
    """Deactivate `plugin` and delete its folder (rows are kept for the report history)."""
    with plugin_tree_lock():
        plugin.refresh_from_db()
        path = plugin.path
        plugin.active = False
        plugin.path = ""
        plugin.save(update_fields=["active", "path"])
        if path and _inside(plugin_root(), path):
            shared = Plugin.objects.filter(path=path, active=True).exclude(pk=plugin.pk).exists()
            if not shared:
                _remove_tree(path)
        log.info("uninstalled plugin %s %s", plugin.name, plugin.version)
    return plugin


def _candidate_folders():
    root = plugin_root()
    if not root.is_dir():
        return []
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in RESERVED_NAMES or not entry.is_dir():
            continue
        if find_plugin_script(entry) is None:
            continue
        found.append(entry)
    return found


def rescan(*, inspect_timeout=30):
    """Match the Plugin table to the folders on disk.

    Active rows whose folder (or script) vanished become inactive; folders copied in by hand
    are inspected (in a subprocess) and registered or refreshed. Returns a summary dict
    {"added": [...], "updated": [...], "deactivated": [...], "errors": {name: message}}."""
    summary = {"added": [], "updated": [], "deactivated": [], "errors": {}}
    with in_use(), plugin_tree_lock():
        for row in Plugin.objects.filter(active=True):
            if not row.path or not Path(row.path).is_dir() or find_plugin_script(row.path) is None:
                Plugin.objects.filter(pk=row.pk).update(active=False)
                summary["deactivated"].append(f"{row.name} {row.version}")
        for folder in _candidate_folders():
            try:
                info = inspect_plugin(folder, strict_version=False, timeout=inspect_timeout)
            except PluginInspectError as exc:
                summary["errors"][folder.name] = exc.message
                continue
            with transaction.atomic():
                created = _register_scanned(folder, info)
            key = f"{info['name']} {info['version']}"
            summary["added" if created else "updated"].append(key)
    return summary


def rescan_plugin(plugin, *, inspect_timeout=30):
    """Rescan one plugin's folder (``plugin/<pk>/rescan_plugin/``): the row's own folder, or
    <ION_PLUGIN_ROOT>/<Name> for an inactive row (its path, if any, is an archived copy). A
    vanished folder deactivates the row; otherwise
    the folder is inspected (in a subprocess) and registered as rescan() does. Returns the same
    summary dict as rescan()."""
    summary = {"added": [], "updated": [], "deactivated": [], "errors": {}}
    with in_use(), plugin_tree_lock():
        plugin.refresh_from_db()
        folder = Path(plugin.path) if plugin.active and plugin.path else plugin_root() / plugin.name
        if not folder.is_dir() or find_plugin_script(folder) is None:
            if plugin.active:
                Plugin.objects.filter(pk=plugin.pk).update(active=False)
                summary["deactivated"].append(f"{plugin.name} {plugin.version}")
            return summary
        try:
            info = inspect_plugin(folder, strict_version=False, timeout=inspect_timeout)
        except PluginInspectError as exc:
            summary["errors"][folder.name] = exc.message
            return summary
        with transaction.atomic():
            created = _register_scanned(folder, info)
        summary["added" if created else "updated"].append(f"{info['name']} {info['version']}")
    return summary


def _register_scanned(folder, info):
    name, version = info["name"], info["version"]
    previous = _active_row(name)
    row, created = Plugin.objects.select_for_update().get_or_create(name=name, version=version)
    was_active_here = not created and row.active and row.path == str(folder)
    _apply_info(row, info, folder)
    if not was_active_here:
        row.date = timezone.now()
        row.selected = True if previous is None else previous.selected
        if previous is not None and previous.pk != row.pk:
            row.defaultSelected = previous.defaultSelected
    if previous is not None and previous.pk != row.pk and previous.config:
        row.config = previous.config
    elif not row.config:
        row.config = default_config_file(row)
    row.status = dict(row.status or {}, installed_from=(row.status or {}).get("installed_from", "rescan"))
    row.save()
    others = Plugin.objects.filter(name=name).exclude(pk=row.pk)
    others.filter(active=True).update(active=False)
    others.filter(path=str(folder)).update(path="")
    return created or not was_active_here
