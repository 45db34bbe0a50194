"""URLs under /rundb/: the REST API at /rundb/api/v1/ and the mesh API at /rundb/api/mesh/v1/."""
from django.urls import include, path

from rundb.api.api import mesh_api, v1_api

urlpatterns = [
    path("api/", include(v1_api.urls)),
    path("api/", include(mesh_api.urls)),
]
