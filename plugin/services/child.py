"""Run a small stdlib-only runner script in a child process: JSON request on stdin, one JSON
answer line on stdout. Minimal environment (no server secrets), the SDK on PYTHONPATH, a time
limit, and the whole process group killed afterwards. Plugin code is never imported here."""
import json
import os
import signal
import subprocess
import tempfile

from plugin import SDK_PATH

from .config import plugin_python
from .scratch import child_marker, in_use

PROXY_VARS = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")


class ChildTimeout(Exception):
    pass


class ChildCrashed(Exception):
    """No answer line; str(exc) holds the tail of stderr."""


def run_child(runner, request, *, cwd, timeout):
    """Returns (answer dict, stderr text)."""
    with in_use(), tempfile.TemporaryDirectory(prefix="ion-plugin-child-") as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(SDK_PATH),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
        }
        env.update({k: os.environ[k] for k in PROXY_VARS if os.environ.get(k)})
        env.update(child_marker())
        proc = subprocess.Popen(
            [plugin_python(), "-B", str(runner)], cwd=cwd, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        done = False
        try:
            stdout, stderr = proc.communicate(json.dumps(request, default=str).encode("utf-8"), timeout=timeout)
            done = True
        except subprocess.TimeoutExpired:
            raise ChildTimeout() from None
        finally:
            if not done:
                # Timeout or exception: the whole group, including what the runner started
                # and left holding its pipes. The leader is not reaped yet (no poll() before
                # this), so its pid still names the group.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                proc.wait()
                proc.stdout.close()
                proc.stderr.close()
    err = stderr.decode("utf-8", "replace")
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        tail = " | ".join(err.strip().splitlines()[-5:]) or f"exit status {proc.returncode}"
        raise ChildCrashed(tail)
    return answer, err
