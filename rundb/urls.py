"""URLs under /rundb/: the REST API at /rundb/api/v1/ (with its OpenAPI document and docs page)
and the mesh API at /rundb/api/mesh/v1/."""
from django.urls import include, path

from rundb.api import openapi_views
from rundb.api.api import mesh_api, v1_api

urlpatterns = [
    path("api/v1/openapi.json", openapi_views.openapi_json, name="api-openapi"),
    path("api/v1/docs/", openapi_views.docs, name="api-docs"),
    path("api/v1/docs/assets/<str:name>", openapi_views.docs_asset, name="api-docs-asset"),
    path("api/", include(v1_api.urls)),
    path("api/", include(mesh_api.urls)),
]
