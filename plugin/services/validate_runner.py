"""Child process of a plugin validation (standard library + the SDK; never imported by the
server). Reads {"script", "name", "config", "run_mode"} on stdin, instantiates the plugin class
and writes {"ok": true, "messages": [...]} or {"ok": false, "error": "..."} to stdout."""
import importlib.util
import json
import os
import sys
import traceback


def main():
    request = json.load(sys.stdin)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    try:
        path = request["script"]
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location("ion_plugin_under_validation", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cls = getattr(module, request["name"])
        messages = cls().validate(request["config"], request["run_mode"]) or []
        answer = {"ok": True, "messages": [str(m) for m in messages]}
    except BaseException as exc:  # noqa: BLE001 - report anything, including SystemExit
        traceback.print_exc()
        answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    out.write(json.dumps(answer) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
