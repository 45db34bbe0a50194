"""Child process of an extend.py call (standard library only; never imported by the server).

Reads {"extend_py", "function", "bucket"} as JSON on stdin, loads extend.py fresh, calls
`function(bucket)` and answers {"ok": true, "result": ...} | {"ok": false, "missing": true} |
{"ok": false, "error": "..."} (see child_protocol).
"""
from child_protocol import load_module, serve


def handle(request):
    func = getattr(load_module(request["extend_py"], "extend"), request["function"], None)
    if not callable(func):
        return {"ok": False, "missing": True}
    return {"ok": True, "result": func(request["bucket"])}


if __name__ == "__main__":
    serve(handle)
