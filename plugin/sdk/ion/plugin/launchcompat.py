"""Metadata for legacy `launch.sh` plugins (no Python class of their own).

The info is read from text only: the first `VERSION=` assignment, `#MAJORBLOCK` lines, and
`pluginsettings.json` beside launch.sh. Nothing in the plugin is executed.
"""
import hashlib
import json
import keyword
import os
import re
import subprocess
from pathlib import Path

from .base import IonPlugin
from .constants import RunType

VERSION_RE = re.compile(r"""(?<![\w$])VERSION\s*=\s*["']?([\w.\-]+)["']?""")
MAJOR_BLOCK_RE = re.compile(r"^#MAJOR_?BLOCK", re.MULTILINE)
SETTINGS_KEYS = (("runtypes", "runtype"), ("features", "feature"), ("runlevels", "runlevel"), ("depends", "depend"))


def read_version(text):
    match = VERSION_RE.search(text)
    return match.group(1) if match else "0"


def read_pluginsettings(folder):
    """runtypes/features/runlevels/depends from pluginsettings.json (singular or plural keys)."""
    path = Path(folder) / "pluginsettings.json"
    raw = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    if raw:
        try:
            settings = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from exc
        if not isinstance(settings, dict):
            raise ValueError(f"{path} must hold a JSON object")
    else:
        settings = {}
    if not settings:
        return {"runtypes": [RunType.FULLCHIP, RunType.THUMB], "features": [], "runlevels": [], "depends": []}
    result = {}
    for plural, singular in SETTINGS_KEYS:
        value = settings.get(plural, settings.get(singular, []))
        result[plural] = [value] if isinstance(value, str) else list(value or [])
    return result


def class_name_for(name, path):
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    return "P" + hashlib.md5(str(path).encode()).hexdigest()


class IonLaunchPlugin(IonPlugin):
    """Wrapper class for a legacy launch.sh plugin."""

    _abstract = True
    launch_script = None

    def launch(self, data=None):
        # Developer path only; the server inlines launch.sh into its job wrapper instead.
        env = dict(os.environ, DIRNAME=str(Path(self.launch_script).parent))
        code = subprocess.call(["bash", str(self.launch_script), "-j", "startplugin.json"], env=env)
        return code == 0


def make_launch_plugin_class(launch_sh):
    """Build (and register) a synthetic IonLaunchPlugin subclass describing `launch_sh`."""
    launch_sh = Path(launch_sh).resolve()
    folder = launch_sh.parent
    name = folder.name
    text = launch_sh.read_text(encoding="utf-8", errors="replace")
    settings = read_pluginsettings(folder)
    attrs = {
        "__doc__": "",
        "__module__": __name__,
        "name": name,
        "version": read_version(text),
        "major_block": bool(MAJOR_BLOCK_RE.search(text)),
        "launch_script": str(launch_sh),
        **settings,
    }
    cls = type(IonLaunchPlugin)(class_name_for(name, launch_sh), (IonLaunchPlugin,), attrs)
    return cls
