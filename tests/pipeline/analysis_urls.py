"""URLconf for the re-analyse API tests: the pipeline routes in front of the project's (the
same order iondb/urls.py uses once it includes pipeline.urls)."""
from django.urls import include, path

urlpatterns = [
    path("", include("pipeline.urls")),
    path("", include("iondb.urls")),
]
