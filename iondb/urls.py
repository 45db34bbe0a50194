from django.contrib import admin
from django.urls import include, path


urlpatterns = [
    path("admin/", admin.site.urls),
    # Plugin routes first: they must win over the API's generic detail routes.
    path("", include("plugin.urls")),
    path("", include("pipeline.urls")),
    path("rundb/", include("rundb.urls")),
    # The Torrent Browser pages (/, /login/, /home/, /data/, /report/, /output/, /plan/, ...).
    path("", include("browser.urls")),
]
