"""`plugin/<Name>/extend/<function>/`: call a function of the plugin's extend.py.

The function gets the documented `bucket` (request_get, request_post for POST, user,
request_method, name, version, config) and its return value is sent back as JSON. It runs in a
child process (services.child) with a time limit; plugin code is never imported into the web
process.
"""
import logging
import re
from pathlib import Path

from django.conf import settings

from rundb.errors import ReasonError

from .child import ChildCrashed, ChildTimeout, run_child

log = logging.getLogger(__name__)

RUNNER = Path(__file__).resolve().parent / "extend_runner.py"
FUNCTION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_TIMEOUT = 60


class ExtendError(ReasonError):
    """status: HTTP status to answer with; message: why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


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
    request = {"extend_py": str(extend_py), "function": function, "bucket": bucket}
    try:
        answer, stderr = run_child(RUNNER, request, cwd=plugin.path, timeout=timeout)
    except ChildTimeout:
        raise ExtendError(504, f"{plugin.name} extend.py {function}() did not answer within {timeout:g} s") from None
    except ChildCrashed as exc:
        raise ExtendError(500, f"{plugin.name} extend.py crashed: {exc}") from None
    if answer.get("missing"):
        raise ExtendError(404, f"{plugin.name} extend.py has no function {function}()")
    if not answer.get("ok"):
        log.warning("extend.py %s.%s failed:\n%s", plugin.name, function, stderr[-4000:])
        raise ExtendError(500, f"{plugin.name} extend.py {function}() failed: {answer.get('error')}")
    return answer.get("result")
