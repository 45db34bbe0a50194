"""Request and response shapes of the plugin app's plain API views (plugin/views.py), keyed by
URL name (plugin/urls.py). rundb/api/openapi.py reads them into the OpenAPI document; a route
without an entry is still documented (open shapes), and tests/api/test_openapi_document.py fails
on an entry whose route no longer exists. ``permission`` is used only when the view does not
carry ``ion_permission`` itself."""

PLUGIN = {"type": "object", "required": ["id", "name", "version"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "version": {"type": "string"},
    "resource_uri": {"type": "string"}, "path": {"type": "string"}, "active": {"type": "boolean"},
}}
JOB = {"type": "object"}
LAUNCHED = {"type": "object", "required": ["id", "plugin", "state"], "properties": {
    "id": {"type": "integer"}, "pluginresult": {"type": "integer"}, "resource_uri": {"type": "string"},
    "plugin": {"type": "string"}, "version": {"type": "string"}, "state": {"type": "string"},
    "path": {"type": "string"}, "URL": {"type": "string"}, "jobs": {"type": "array", "items": JOB},
    "validation_errors": {"type": "array"},
}}
PLUGIN_NAMES = {"anyOf": [{"type": "string"}, {"type": "integer"},
                          {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                          {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                            "version": {"type": "string"}}}]}

SHAPES = {
    "plugin-install": {"permission": "rundb.add_plugin", "methods": {"post": {
        "summary": "Install a plugin from a zip (multipart field 'file', or {\"file\": <uploaded name>})",
        "body": {"type": "object", "properties": {"file": {"type": "string"}}},
        "responses": {201: PLUGIN},
    }}},
    "plugin-rescan": {"permission": "rundb.change_plugin", "methods": {
        method: {"summary": "Rescan the plugin folders and register what changed",
                 "responses": {200: {"type": "object"}}}
        for method in ("get", "post")}},
    "plugin-uninstall": {"permission": "rundb.delete_plugin", "methods": {"delete": {
        "summary": "Uninstall a plugin", "responses": {200: {"type": "object", "properties": {
            "Status": {"type": "boolean"}}}},
    }}},
    "plugin-uninstall-alias": {"permission": "rundb.delete_plugin", "methods": {"delete": {
        "summary": "Uninstall a plugin (older URL)", "responses": {200: {"type": "object"}},
    }}},
    "plugin-extend": {"permission": "authenticated", "methods": {method: {
        "summary": "Call a function of the plugin's extend.py", "description": "The reply is what the function returns.",
        **({"body": {}} if method == "post" else {}),
        "responses": {200: {}}, "errors": (410, 500, 502, 504),
    } for method in ("get", "post")}},
    "results-plugin": {"permission": "rundb.add_pluginresult", "methods": {"post": {
        "summary": "Launch plugins on a report",
        "body": {"type": "object", "required": ["plugin"], "properties": {
            "plugin": PLUGIN_NAMES, "pluginconfig": {"type": ["object", "string", "null"]},
            "owner": {"type": "string"}, "username": {"type": "string"}, "pluginresult": {"type": "integer"}}},
        "body_required": True,
        "responses": {202: {**LAUNCHED, "properties": {**LAUNCHED["properties"],
                                                       "pluginresults": {"type": "array", "items": LAUNCHED}}}},
        "errors": (410, 500),
    }}},
    "results-pluginresults": {"permission": "authenticated", "methods": {"get": {
        "summary": "The plugin runs of a report", "query": {"major": {"type": "boolean"}},
        "responses": {200: {"type": "array", "items": {"type": "object"}}},
    }}},
    "results-barcodesampleinfo": {"permission": "authenticated", "methods": {"get": {
        "summary": "The report's barcodes.json (what plugins read)", "responses": {200: {"type": "object"}},
    }}},
    "pluginresult-stop": {"permission": "authenticated", "methods": {
        method: {"summary": "Ask the plugin run's jobs to stop", "responses": {202: {"type": "object", "properties": {
            "pluginresult": {"type": "integer"}, "cancel_requested": {}}}}}
        for method in ("post", "get")}},
    "plugin-media": {"permission": "authenticated", "methods": {"get": {
        "summary": "A static file of a plugin (its pluginMedia folder)",
        "responses": {200: {"description": "The file", "content": {"*/*": {"schema": {}}}},
                      404: {"description": "No such file", "content": {"text/html": {"schema": {"type": "string"}}}}},
    }}},
}
