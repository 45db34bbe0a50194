from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.utils.html import escape

from rundb.api.endpoint import endpoint

# ---- Landing page at "/" (temporary: the web UI will take "/" over; delete this block then).
LANDING_LINKS = [
    ("/rundb/api/v1/", "REST API root", "every resource and its list endpoint (ApiKey or login)"),
    ("/rundb/api/v1/experiment/schema/", "API schema", "each resource's fields: /rundb/api/v1/<resource>/schema/"),
    ("/admin/", "Admin", "users, API keys, catalog tables (ionadmin/ionadmin on a fresh install)"),
]


@endpoint("anonymous", methods=("GET",))
def landing(request):
    """What this server is, with links to the API and the admin."""
    items = "".join(
        f'<li><a href="{escape(url)}">{escape(title)}</a> &mdash; {escape(text)}</li>'
        for url, title, text in LANDING_LINKS
    )
    return HttpResponse(
        "<!doctype html><html><head><meta charset='utf-8'><title>Torrent Server</title></head><body>"
        "<h1>Torrent Server</h1><p>A Torrent Suite-compatible server: run ingest, analysis, plugins "
        f"and the <code>/rundb/api/v1/</code> REST API.</p><ul>{items}</ul></body></html>"
    )


# ---- end of landing page

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    # Plugin routes first: they must win over the API's generic detail routes.
    path("", include("plugin.urls")),
    path("", include("pipeline.urls")),
    path("rundb/", include("rundb.urls")),
]
