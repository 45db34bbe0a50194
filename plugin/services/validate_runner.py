"""Child process of a plugin validation (standard library + the SDK; never imported by the
server). Reads {"script", "name", "config", "run_mode"} on stdin, instantiates the plugin class
and answers {"ok": true, "messages": [...]} or {"ok": false, "error": "..."} (see child_protocol)."""
from child_protocol import load_module, serve


def handle(request):
    cls = getattr(load_module(request["script"], "ion_plugin_under_validation"), request["name"])
    messages = cls().validate(request["config"], request["run_mode"]) or []
    return {"ok": True, "messages": [str(m) for m in messages]}


if __name__ == "__main__":
    serve(handle)
