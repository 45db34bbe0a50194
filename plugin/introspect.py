"""Discover a plugin's metadata by running `python <Name>.py --inspect` in a subprocess.

Plugin code is never imported into the calling (web/worker) process: the child gets a
minimal environment (no server secrets), the SDK on PYTHONPATH, a time limit and an output
cap, and its whole process group is killed when it misbehaves or finishes.
"""
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rundb.errors import ReasonError

from . import SDK_PATH

# Must match ion.plugin.constants (a test checks they agree).
ALLOWED_RUNTYPES = frozenset({"wholechip", "thumbnail", "composite"})
ALLOWED_RUNLEVELS = frozenset({"pre", "default", "block", "post", "separator", "last"})
ALLOWED_FEATURES = frozenset({"export"})

# A version is what the author wrote ("1.0.0", "2.1-beta", "5.4.0.1"): any text of at most
# MAX_VERSION_LENGTH characters (the column's size) with a letter or digit and no white space,
# control characters or path separators (it names the archive folder of an upgrade).
MAX_VERSION_LENGTH = 256
VERSION_BAD_CHARS = re.compile(r"[\s/\\\x00-\x1f\x7f]")
CAPABILITY_FILES = {
    "isConfig": "config.html",
    "isInstance": "instance.html",
    "isPlanConfig": "plan.html",
    "hasAbout": "about.html",
}
DEFAULT_TIMEOUT = 30
DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024
STDERR_KEEP = 4000


class PluginInspectError(ReasonError, ValueError):
    """The plugin's metadata could not be obtained or is invalid; str(exc) says why."""


def find_plugin_script(folder):
    """The plugin's script: `<folder>/<Name>.py` if present, else `<folder>/launch.sh`, else None.

    One order for install, rescan and launch: the Python file wins over launch.sh.
    """
    folder = Path(folder)
    for candidate in (folder / f"{folder.name}.py", folder / "launch.sh"):
        if candidate.is_file():
            return candidate
    return None


def capability_flags(folder):
    """isConfig/isInstance/isPlanConfig/hasAbout from the presence of the optional HTML pages."""
    folder = Path(folder)
    return {flag: (folder / filename).is_file() for flag, filename in CAPABILITY_FILES.items()}


def is_valid_version(version):
    """True for a version string the server can store and order (see VERSION_BAD_CHARS)."""
    return (
        isinstance(version, str)
        and 0 < len(version) <= MAX_VERSION_LENGTH
        and not VERSION_BAD_CHARS.search(version)
        and any(c.isalnum() for c in version)
    )


def _minimal_env(home):
    from plugin.services.scratch import child_marker

    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "PYTHONPATH": str(SDK_PATH),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONNOUSERSITE": "1",
        # Found and killed at the next start if this process dies first (plugin/services/scratch.py).
        **child_marker(),
    }


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run_limited(cmd, cwd, timeout, max_output_bytes):
    """Run `cmd`; return (returncode, stdout bytes, stderr tail). Raises PluginInspectError."""
    home = tempfile.mkdtemp(prefix="ion-inspect-home-")
    try:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=_minimal_env(home), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        try:
            return _collect(proc, timeout, max_output_bytes)
        finally:
            # The leader is not reaped yet, so its pid (= process group id) cannot be reused.
            _kill_group(proc.pid)
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _collect(proc, timeout, max_output_bytes):
    deadline = time.monotonic() + timeout
    stdout, stderr = bytearray(), bytearray()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, stdout)
    sel.register(proc.stderr, selectors.EVENT_READ, stderr)
    while sel.get_map():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PluginInspectError(f"Plugin metadata discovery did not finish within {timeout} s")
        for key, _ in sel.select(remaining):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            buf = key.data
            buf.extend(chunk)
            if buf is stdout and len(stdout) > max_output_bytes:
                raise PluginInspectError(
                    f"Plugin metadata discovery printed more than {max_output_bytes} bytes"
                )
            if buf is stderr and len(stderr) > 2 * STDERR_KEEP:
                del stderr[:-STDERR_KEEP]
    sel.close()
    # Both pipes closed: wait for the exit status without reaping (waitid WNOWAIT).
    while True:
        result = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if result is not None:
            code = result.si_status if result.si_code == os.CLD_EXITED else -result.si_status
            return code, bytes(stdout), bytes(stderr[-STDERR_KEEP:])
        if time.monotonic() >= deadline:
            raise PluginInspectError(f"Plugin metadata discovery did not finish within {timeout} s")
        time.sleep(0.01)


def _parse_info(stdout):
    """The JSON object the SDK printed; tolerates stray prints before it."""
    text = stdout.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    starts = [m.start() for m in re.finditer(r"(?m)^\{", text)]
    for start in reversed(starts):
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if not text[end:].strip() and isinstance(value, dict):
            return value
    snippet = text.strip()[:200]
    raise PluginInspectError(
        "Plugin metadata discovery did not print a JSON object"
        + (f"; it printed: {snippet!r}" if snippet else "; it printed nothing")
    )


def _check_list(info, key, allowed):
    value = info.get(key)
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PluginInspectError(f"'{key}' must be a list of strings, got {value!r}")
    if allowed is not None:
        bad = [v for v in value if v not in allowed]
        if bad:
            raise PluginInspectError(
                f"Unknown {key} {', '.join(map(repr, bad))}; allowed: {', '.join(sorted(allowed))}"
            )
    return value


def validate_info(info, folder_name, *, strict_version=True):
    """Check the info dict against the folder; return a normalised copy."""
    name = info.get("name")
    if name != folder_name:
        raise PluginInspectError(
            f"Plugin class name {name!r} does not match the folder name {folder_name!r} "
            "(folder, <Name>.py and class name must be identical, case-sensitive)"
        )
    version = info.get("version")
    if not isinstance(version, str) or not version.strip() or version == "(Unknown)":
        raise PluginInspectError(f"Plugin {folder_name} does not declare a version")
    if strict_version and not is_valid_version(version):
        raise PluginInspectError(
            f"Plugin version {version!r} is invalid: it must be at most {MAX_VERSION_LENGTH} characters with "
            "a letter or digit and no spaces, control characters or slashes (e.g. 1.0.0, 2.1-beta, 5.4.0.1)"
        )
    clean = dict(info)
    clean["runtypes"] = _check_list(info, "runtypes", ALLOWED_RUNTYPES)
    clean["runlevels"] = _check_list(info, "runlevels", ALLOWED_RUNLEVELS)
    clean["features"] = _check_list(info, "features", ALLOWED_FEATURES)
    clean["depends"] = _check_list(info, "depends", None)
    clean["docs"] = info.get("docs") or ""
    clean["description"] = info.get("description") or clean["docs"]
    clean["major_block"] = bool(info.get("major_block"))
    clean["requires_configuration"] = bool(info.get("requires_configuration"))
    return clean


def inspect_plugin(
    folder,
    *,
    timeout=DEFAULT_TIMEOUT,
    strict_version=True,
    max_output_bytes=DEFAULT_MAX_OUTPUT_BYTES,
    python=None,
):
    """Metadata of the plugin in `folder` (whose name is the plugin name).

    Returns the SDK info dict (`_meta, name, version, config, runtypes, features, runlevels,
    depends, docs, major_block, pluginorm, requires_configuration, description, requires,
    provides, author, allow_autorun`) plus `script` (file name), `pluginsettings`
    ({features, runtypes, runlevels, depends}) and the booleans isConfig, isInstance,
    isPlanConfig, hasAbout. Raises PluginInspectError with a readable message.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise PluginInspectError(f"Plugin folder {folder} does not exist")
    script = find_plugin_script(folder)
    if script is None:
        raise PluginInspectError(f"Neither {folder.name}.py nor launch.sh found in {folder}")
    python = python or sys.executable
    if script.name == "launch.sh":
        cmd = [python, "-B", "-s", "-m", "ion.plugin", "--inspect-launch-sh", script.name]
    else:
        cmd = [python, "-B", "-s", script.name, "--inspect"]
    code, stdout, stderr = _run_limited(cmd, str(folder), timeout, max_output_bytes)
    if code != 0:
        tail = stderr.decode("utf-8", errors="replace").strip()
        last = "\n".join(tail.splitlines()[-8:])
        raise PluginInspectError(
            f"`{script.name} --inspect` failed with exit status {code}" + (f":\n{last}" if last else "")
        )
    info = validate_info(_parse_info(stdout), folder.name, strict_version=strict_version)
    info["script"] = script.name
    info["pluginsettings"] = {k: info[k] for k in ("features", "runtypes", "runlevels", "depends")}
    info.update(capability_flags(folder))
    return info
