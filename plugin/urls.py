"""Plugin routes. Included before the Tastypie API (iondb/urls.py) so these win over its
generic `<resource>/<pk>/` detail routes."""
from django.urls import path, re_path

from . import views

API = "rundb/api/v1/"

urlpatterns = [
    path(API + "plugin/install/", views.plugin_install, name="plugin-install"),
    path(API + "plugin/rescan/", views.plugin_rescan, name="plugin-rescan"),
    path(API + "plugin/show/", views.plugin_show, name="plugin-show"),
    path(API + "plugin/lineage/", views.plugin_lineage, name="plugin-lineage"),
    path(API + "plugin/<int:pk>/uninstall/", views.plugin_uninstall, name="plugin-uninstall"),
    path(API + "plugin/<int:pk>/upgrade/", views.plugin_upgrade, name="plugin-upgrade"),
    path(API + "plugin/<int:pk>/<str:version>/install_to_version/", views.plugin_install_to_version,
         name="plugin-install-to-version"),
    path(API + "plugin/<int:pk>/rescan_plugin/", views.plugin_rescan_plugin, name="plugin-rescan-plugin"),
    path(API + "plugin/<int:pk>/type/", views.plugin_type, name="plugin-type"),
    re_path(r"^rundb/api/v1/plugin/set/(?P<ids>[^/]+)/type/$", views.plugin_set_type, name="plugin-set-type"),
    path(API + "plugin/<int:pk>/info/", views.plugin_info, name="plugin-info"),
    path(API + "plugin/<int:pk>/validate/", views.plugin_validate, name="plugin-validate"),
    path(API + "plugin/<int:pk>/show/", views.plugin_show_one, name="plugin-show-one"),
    path(API + "plugin/<int:pk>/lineage/", views.plugin_history, name="plugin-history"),
    path(API + "plugin/uninstall/<int:pk>/", views.plugin_uninstall, name="plugin-uninstall-alias"),
    re_path(
        r"^rundb/api/v1/plugin/(?P<ident>[\w.\-]+)/extend/(?P<function>[^/]+)/?$",
        views.plugin_extend,
        name="plugin-extend",
    ),
    path(API + "results/<int:pk>/plugin/", views.results_plugin, name="results-plugin"),
    path(API + "results/<int:pk>/pluginresults/", views.results_pluginresults, name="results-pluginresults"),
    path(
        API + "results/<int:pk>/barcodesampleinfo/", views.results_barcodesampleinfo, name="results-barcodesampleinfo"
    ),
    path(API + "pluginresult/<int:pk>/stop/", views.pluginresult_stop, name="pluginresult-stop"),
    path(API + "pluginresult/<int:pk>/delete/", views.pluginresult_delete, name="pluginresult-delete"),
    path(API + "pluginresult/<int:pk>/rescan/", views.pluginresult_rescan, name="pluginresult-rescan"),
    path("pluginMedia/<str:name>/<path:path>", views.plugin_media, name="plugin-media"),
]
