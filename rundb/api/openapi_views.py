"""``openapi.json`` (the generated document, rundb/api/openapi.py) and ``docs/``, a Swagger UI page
for it. The page's scripts and styles are served from the drf-spectacular-sidecar package (a
Swagger UI build shipped on PyPI), so the page works without Internet access.

Both are anonymous, like the resources' ``schema/`` pages: they describe the API, not its data.
"""
import mimetypes
from importlib.util import find_spec
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse

from .base import error_response, json_response
from .openapi import PREFIX, document

ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "favicon-32x32.png")


def _only_get(request):
    if request.method not in ("GET", "HEAD"):
        response = error_response(f"Method {request.method} is not allowed here; allowed: GET.", 405)
        response["Allow"] = "GET"
        return response
    return None


def openapi_json(request):
    """The OpenAPI 3.1 document of this API."""
    return _only_get(request) or json_response(document())


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Torrent Server REST API v1</title>
<link rel="icon" type="image/png" href="{assets}favicon-32x32.png">
<link rel="stylesheet" href="{assets}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{spec}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  validatorUrl: null
}});
</script>
</body>
</html>
"""


def docs(request):
    """A browsable page of the OpenAPI document (Swagger UI)."""
    denied = _only_get(request)
    if denied:
        return denied
    html = PAGE.format(assets=f"{PREFIX}docs/assets/", spec=f"{PREFIX}openapi.json")
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _asset_dir():
    spec = find_spec("drf_spectacular_sidecar")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "static" / "drf_spectacular_sidecar" / "swagger-ui-dist"


def docs_asset(request, name):
    denied = _only_get(request)
    if denied:
        return denied
    folder = _asset_dir()
    if name not in ASSETS or folder is None or not (folder / name).is_file():
        raise Http404("No such asset")
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(open(folder / name, "rb"), content_type=ctype)
    response["Cache-Control"] = "public, max-age=86400"
    return response


for _view in (openapi_json, docs, docs_asset):
    _view.ion_permission = "anonymous"  # read by the route-permission walker and the document
openapi_json.openapi = {"methods": {"get": {"summary": "This OpenAPI 3.1 document", "tag": "api",
                                            "responses": {200: {"type": "object", "required": ["openapi", "paths"]}}}}}
docs.openapi = {"methods": {"get": {"summary": "Browsable page of this document (Swagger UI)", "tag": "api",
                                    "responses": {200: {"description": "HTML page",
                                                        "content": {"text/html": {"schema": {"type": "string"}}}}}}}}
docs_asset.openapi = {"methods": {"get": {
    "summary": "Script, style or icon of the documentation page", "tag": "api",
    "responses": {200: {"description": "The file", "content": {"*/*": {"schema": {}}}},
                  404: {"description": "No such asset", "content": {"text/html": {"schema": {"type": "string"}}}}},
}}}
