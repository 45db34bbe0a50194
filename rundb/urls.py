"""URLs under /rundb/: the REST API at /rundb/api/v1/."""
from django.urls import include, path

from rundb.api.api import v1_api

urlpatterns = [
    path("api/", include(v1_api.urls)),
]
