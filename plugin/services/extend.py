"""`plugin/<Name>/extend/<function>/`: call a function of the plugin's extend.py.

The function gets the documented `bucket` (request_get, request_post for POST, user,
request_method, name, version, config) and its return value is sent back as JSON. It runs in a
child process with a minimal environment and a time limit; plugin code is never imported into
the web process.
"""
import json
import logging
import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from plugin import SDK_PATH

from .config import plugin_python

log = logging.getLogger(__name__)

RUNNER = Path(__file__).resolve().parent / "extend_runner.py"
FUNCTION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_TIMEOUT = 60


class ExtendError(Exception):
    """status: HTTP status to answer with; message: why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def extend_timeout():
    return float(getattr(settings, "ION_PLUGIN_EXTEND_TIMEOUT", DEFAULT_TIMEOUT))


def make_bucket(plugin, *, method, query, body=None, user=""):
    bucket = {
        "request_get": dict(query),
        "user": user,
        "request_method": method,
        "name": plugin.name,
        "version": plugin.version,
        "config": plugin.config or {},
    }
    if method == "POST":
        bucket["request_post"] = body
    return bucket


def call_extend(plugin, function, bucket, *, timeout=None):
    """Run `function(bucket)` from the plugin's extend.py; returns its (JSON-able) result."""
    if not FUNCTION_RE.match(function or ""):
        raise ExtendError(404, f"{function!r} is not an extend.py function name")
    extend_py = Path(plugin.path or "") / "extend.py"
    if not plugin.path or not extend_py.is_file():
        raise ExtendError(404, f"Plugin {plugin.name} has no extend.py")
    timeout = extend_timeout() if timeout is None else timeout
    request = json.dumps({"extend_py": str(extend_py), "function": function, "bucket": bucket}, default=str)
    with tempfile.TemporaryDirectory(prefix="ion-extend-") as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(SDK_PATH),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
        }
        for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
            if os.environ.get(name):
                env[name] = os.environ[name]
        proc = subprocess.Popen(
            [plugin_python(), "-B", str(RUNNER)], cwd=plugin.path, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(request.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ExtendError(504, f"{plugin.name} extend.py {function}() did not answer within {timeout:g} s") from None
        finally:
            _kill(proc)
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise ExtendError(500, f"{plugin.name} extend.py crashed: " + (" | ".join(tail) or f"exit status {proc.returncode}"))
    if answer.get("missing"):
        raise ExtendError(404, f"{plugin.name} extend.py has no function {function}()")
    if not answer.get("ok"):
        log.warning("extend.py %s.%s failed:\n%s", plugin.name, function, stderr.decode("utf-8", "replace")[-4000:])
        raise ExtendError(500, f"{plugin.name} extend.py {function}() failed: {answer.get('error')}")
    return answer.get("result")


def _kill(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
