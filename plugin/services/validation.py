"""Validation of a run's configuration before any job is created.

`requires_configuration` is known from the install-time metadata. A plugin that defines
`custom_validation()` has its class's `validate(config, run_mode)` run in a child process
(the plugin's code is never imported into the server); plugins without it cost nothing.
A non-empty list of messages means "Failed Validation": the run is recorded without jobs.
"""
import re
from pathlib import Path

from django.conf import settings

from .child import ChildCrashed, ChildTimeout, run_child

RUNNER = Path(__file__).resolve().parent / "validate_runner.py"
CUSTOM_RE = re.compile(r"^\s*def\s+custom_validation\s*\(", re.M)
DEFAULT_TIMEOUT = 30


def _has_custom_validation(script):
    try:
        return bool(CUSTOM_RE.search(script.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def validation_messages(plugin, config, run_mode):
    """Messages explaining why the plugin may not run with `config` ([] = fine)."""
    required = bool((plugin.metadata or {}).get("requires_configuration"))
    basic = [f"{plugin.name} requires configuration before execution."] if required and not config else []
    script = Path(plugin.path or "") / (plugin.script or "")
    if not plugin.path or script.suffix != ".py" or not _has_custom_validation(script):
        return basic
    timeout = float(getattr(settings, "ION_PLUGIN_VALIDATE_TIMEOUT", DEFAULT_TIMEOUT))
    request = {"script": str(script), "name": plugin.name, "config": config, "run_mode": run_mode}
    try:
        answer, _stderr = run_child(RUNNER, request, cwd=plugin.path, timeout=timeout)
    except ChildTimeout:
        return basic + [f"{plugin.name} validation did not finish within {timeout:g} s"]
    except ChildCrashed as exc:
        return basic + [f"{plugin.name} validation crashed: {exc}"]
    if not answer.get("ok"):
        return basic + [f"{plugin.name} validation failed: {answer.get('error')}"]
    return list(answer.get("messages") or [])
