"""Child process of an extend.py call (standard library only; never imported by the server).

Reads {"extend_py", "function", "bucket"} as JSON on stdin, loads extend.py fresh, calls
`function(bucket)` and writes one JSON line to the original stdout:
{"ok": true, "result": ...} | {"ok": false, "missing": true} | {"ok": false, "error": "..."}.
Anything the plugin prints goes to stderr so it cannot corrupt the answer.
"""
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
        path = request["extend_py"]
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location("extend", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        func = getattr(module, request["function"], None)
        if not callable(func):
            answer = {"ok": False, "missing": True}
        else:
            answer = {"ok": True, "result": func(request["bucket"])}
    except BaseException as exc:  # noqa: BLE001 - report anything, including SystemExit
        traceback.print_exc()
        answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    out.write(json.dumps(answer, default=str) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
