"""Request and response shapes of the plugin app's plain API views (plugin/views/), keyed by
URL name (plugin/urls.py). rundb/api/openapi.py reads them into the OpenAPI document; a route
without an entry is still documented (open shapes), and tests/rundb/api/test_openapi_document.py fails
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

INFO = {"type": "object", "required": ["_meta", "name", "version", "pluginorm"], "properties": {
    "_meta": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "string"},
    "config": {}, "runtypes": {"type": "array", "items": {"type": "string"}},
    "runlevels": {"type": "array", "items": {"type": "string"}},
    "features": {"type": "array", "items": {"type": "string"}},
    "depends": {"type": "array", "items": {"type": "string"}}, "docs": {"type": "string"},
    "major_block": {"type": "boolean"}, "pluginorm": {"type": "integer"},
    "requires_configuration": {"type": "boolean"}, "isConfig": {"type": "boolean"},
    "isPlanConfig": {"type": "boolean"}, "isInstance": {"type": "boolean"}, "hasAbout": {"type": "boolean"},
    "active": {"type": "boolean"}, "script": {"type": "string"},
}}
LINEAGE_ENTRY = {"type": "object", "required": ["name", "id", "CurrentVersion"], "properties": {
    "name": {"type": "string"}, "id": {"type": "integer"}, "CurrentVersion": {"type": "string"},
    "date": {"type": ["string", "null"]}, "isSupported": {"type": "boolean"},
    "availableVersions": {"type": "array", "items": {"type": "string"}}, "isUpgradable": {"type": "boolean"},
    "isConfig": {"type": "boolean"}, "isPlanConfig": {"type": "boolean"}, "isInstance": {"type": "boolean"},
    "hasAbout": {"type": "boolean"}, "selected": {"type": "boolean"}, "defaultSelected": {"type": "boolean"},
}}
HISTORY = {"type": "object", "required": ["name", "versions"], "properties": {
    "name": {"type": "string"}, "CurrentVersion": {"type": "string"},
    "versions": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "version": {"type": "string"}, "active": {"type": "boolean"},
        "current": {"type": "boolean"}, "date": {"type": ["string", "null"]}, "installed_from": {"type": "string"},
        "archived": {"type": "boolean"}, "runs": {"type": "integer"}, "resource_uri": {"type": "string"}}}},
}}
RESCAN = {"type": "object", "properties": {
    "added": {"type": "array"}, "updated": {"type": "array"}, "deactivated": {"type": "array"},
    "errors": {"type": "object"}}}
TYPE = {"type": "object", "required": ["files"], "properties": {
    "files": {"type": "array", "items": {"type": "string"}}, "input": {"type": "string"}}}
ZIP_BODY = {"type": "object", "properties": {"file": {"type": "string"}}}

SHAPES = {
    "plugin-install": {"permission": "rundb.add_plugin", "methods": {"post": {
        "summary": "Install a plugin from a zip (multipart field 'file', or {\"file\": <uploaded name>})",
        "body": {"type": "object", "properties": {"file": {"type": "string"}}},
        "responses": {201: PLUGIN}, "errors": (413,),
    }}},
    "plugin-upgrade": {"methods": {"post": {
        "summary": "Upgrade an installed plugin with a newer zip (multipart 'file', or {\"file\": <uploaded name>})",
        "description": "An equal or lower version, or a zip of another plugin, is refused (400); nothing changes.",
        "body": ZIP_BODY,
        "responses": {202: {**PLUGIN, "properties": {**PLUGIN["properties"], "previous": {"type": "object"}}}},
        "errors": (410, 413),
    }}},
    "plugin-install-to-version": {"methods": {"post": {
        "summary": "Install a version of the plugin again from the copy kept under archive/",
        "description": "Older versions too (as the original allows). 404: no such version; 409: it is the "
                       "installed one; 410: no copy is kept.",
        "responses": {202: {**PLUGIN, "properties": {**PLUGIN["properties"],
                                                     "previous": {"type": ["object", "null"]}}}},
        "errors": (410,),
    }}},
    "plugin-rescan-plugin": {"methods": {"post": {
        "summary": "Rescan one plugin's folder", "responses": {200: RESCAN},
    }}},
    "plugin-type": {"methods": {"get": {
        "summary": "The plugin folder's files and its instance page", "responses": {200: TYPE}, "errors": (410,),
    }}},
    "plugin-set-type": {"methods": {"get": {
        "summary": "plugin/<pk>/type/ of several plugins ({\"<pk>\": ...})",
        "responses": {200: {"type": "object", "additionalProperties": TYPE}}, "errors": (410,),
    }}},
    "plugin-info": {"methods": {"get": {
        "summary": "The plugin's metadata (the original's info object)",
        "description": "From the stored row; use_cache=false inspects the folder again (needs "
                       "rundb.install_plugin) without storing the answer.",
        "query": {"use_cache": {"type": "boolean"}},
        "responses": {200: INFO}, "errors": (410, 422),
    }}},
    "plugin-lineage": {"methods": {"get": {
        "summary": "One entry per plugin name", "query": {"selected": {"type": "boolean"}},
        "responses": {200: {"type": "object", "required": ["meta", "objects"], "properties": {
            "meta": {"type": "object"}, "objects": {"type": "array", "items": LINEAGE_ENTRY}}}},
    }}},
    "plugin-history": {"methods": {"get": {
        "summary": "Every version of this plugin's name, the highest first", "responses": {200: HISTORY},
    }}},
    "plugin-validate": {"methods": {"post": {
        "summary": "Run the plugin's validation of a configuration",
        "body": {"type": "object", "properties": {
            "configuration": {"type": ["object", "string", "null"]},
            "run_mode": {"type": "string", "enum": ["manual", "pipeline"]}}},
        "responses": {200: {"type": "object", "required": ["issues"], "properties": {
            "issues": {"type": "array", "items": {"type": "string"}}}}},
        "errors": (410,),
    }}},
    "plugin-show": {"methods": {"post": {
        "summary": "Show or hide plugins in this session's report plugin lists",
        "body": {"type": "object", "additionalProperties": {"type": "boolean"}}, "body_required": True,
        "responses": {204: None},
    }}},
    "plugin-show-one": {"methods": {"post": {
        "summary": "Show or hide this plugin in this session's report plugin lists",
        "body": {"type": "object", "required": ["show"], "properties": {"show": {"type": "boolean"}}},
        "body_required": True, "responses": {204: None},
    }}},
    "pluginresult-rescan": {"methods": {"post": {
        "summary": "Re-read the run's output folder: size, inodes, results.json into the store",
        "responses": {202: {"type": "object", "properties": {
            "pluginresult": {"type": "integer"}, "size": {"type": "integer"}, "inodes": {"type": "integer"},
            "state": {"type": "string"}, "store_updated": {"type": "boolean"},
            "store_error": {"type": ["string", "null"]}}}},
        "errors": (410,),
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
