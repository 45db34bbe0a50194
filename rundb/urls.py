"""URLs under /rundb/: the REST API at /rundb/api/v1/, its OpenAPI document and docs page."""
from django.urls import include, path

from rundb.api import openapi_views
from rundb.api.api import v1_api

urlpatterns = [
    path("api/v1/openapi.json", openapi_views.openapi_json, name="api-openapi"),
    path("api/v1/docs/", openapi_views.docs, name="api-docs"),
    path("api/v1/docs/assets/<str:name>", openapi_views.docs_asset, name="api-docs-asset"),
    path("api/", include(v1_api.urls)),
]
