"""The shared half of the plugin child processes (extend_runner.py, validate_runner.py).

Standard library only; imported by those scripts (their folder is on sys.path[0]), never by the
server. A child reads one JSON request on stdin, runs plugin code, and writes one JSON answer
line to the *original* stdout; anything the plugin prints goes to stderr so it cannot corrupt
the answer, and any exception (SystemExit included) becomes {"ok": false, "error": ...}."""
import importlib.util
import json
import os
import sys
import traceback


def load_module(path, name):
    """Import the plugin file at `path` fresh, with its folder importable."""
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def serve(handle):
    """Run `handle(request) -> answer dict` on the stdin request and print its answer."""
    request = json.load(sys.stdin)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    try:
        answer = handle(request)
    except BaseException as exc:  # noqa: BLE001 - report anything, including SystemExit
        traceback.print_exc()
        answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    out.write(json.dumps(answer, default=str) + "\n")
    out.flush()
