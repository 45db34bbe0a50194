"""The ``v1`` API: every resource registered, and the anonymous root listing."""
from django.views.decorators.csrf import csrf_exempt
from tastypie.api import Api
from tastypie.exceptions import BadRequest

from .base import check_format, error_response, json_response
from .resources import (
    actions, catalog, defaults, experiment, kits, mesh, metrics, monitor, plan, plan_views, planning_session,
    plugin, results, sample, site, system, users,
)

RESOURCES = [
    catalog.ApplicationGroupResource, catalog.ChipResource, catalog.DnaBarcodeResource,
    catalog.FlowOrderResource, catalog.KitInfoResource, catalog.KitPartResource, catalog.LibraryKeyResource,
    catalog.QCTypeResource, catalog.ReferenceGenomeResource, catalog.RunTypeResource,
    catalog.SampleGroupTypeResource, catalog.TemplateResource, catalog.ThreePrimeAdapterResource,
    experiment.ExperimentResource, experiment.ExperimentAnalysisSettingsResource,
    metrics.AnalysisMetricsResource, metrics.LibMetricsResource, metrics.QualityMetricsResource,
    metrics.TFMetricsResource,
    plan.PlannedExperimentResource, plan.PlannedExperimentQCResource,
    plugin.PluginResource, plugin.PluginResultResource, plugin.PluginResultJobResource,
    results.ResultsResource, results.CompositeExperimentResource, results.CompositeResultResource,
    sample.ProjectResource, sample.SampleResource, sample.SampleSetResource, sample.SampleSetItemResource,
    site.ContentResource, site.ContentUploadResource, site.EventLogResource, site.FileServerResource,
    site.GlobalConfigResource, site.LocationResource, site.MessageResource, site.PublisherResource,
    site.RigResource,
    system.SoftwareInfoResource, system.TorrentSuiteResource,
    users.AccountResource, users.UserResource,
    *kits.RESOURCES, *plan_views.RESOURCES, *defaults.RESOURCES, *monitor.RESOURCES, *mesh.RESOURCES,
    *actions.RESOURCES, *planning_session.RESOURCES,
]


# Domain apps add resources, or replace one of the data model's by name with a subclass doing
# their own acts, from AppConfig.ready() (plugin/apps.py); rundb never imports them.
_REGISTERED: dict = {}


def register_resource(cls):
    _REGISTERED[cls._meta.resource_name] = cls
    return cls


def v1_resources():
    """Every resource class of v1: the data model's, with the apps' replacements and additions."""
    by_name = {cls._meta.resource_name: cls for cls in RESOURCES}
    by_name.update(_REGISTERED)
    return list(by_name.values())


class IonApi(Api):
    def top_level(self, request, api_name=None):
        """``GET /rundb/api/v1/``: no authentication; ``{name: {list_endpoint, schema}}``."""
        try:
            check_format(request)
        except BadRequest as exc:
            return error_response(str(exc))
        if request.method not in ("GET", "HEAD"):
            response = error_response(f"Method {request.method} is not allowed here; allowed: GET.", 405)
            response["Allow"] = "GET"
            return response
        prefix = request.path if request.path.endswith("/") else request.path + "/"
        root = {
            name: {"list_endpoint": f"{prefix}{name}/", "schema": f"{prefix}{name}/schema/"}
            for name in self._registry
        }
        # The generated OpenAPI document of v1, in the same shape as a resource entry (plus its page).
        if self.api_name == "v1":
            root.setdefault("openapi", {"list_endpoint": f"{prefix}openapi.json", "schema": f"{prefix}openapi.json",
                                        "docs": f"{prefix}docs/"})
        return json_response(dict(sorted(root.items())))

    def wrap_view(self, view):
        return csrf_exempt(super().wrap_view(view))


def build_api():
    from .base import resource_instance

    api = IonApi(api_name="v1")
    for cls in v1_resources():
        resource = resource_instance(cls)
        if resource._meta.resource_name in mesh.MESH_RESOURCES_ALLOWED:
            resource._meta.authentication = mesh.MeshKeyAuthentication()  # peers read these with their key
        api.register(resource, canonical=True)
    return api




def build_mesh_api():
    """``/rundb/api/mesh/v1/``: the mesh-wide views (see rundb/api/resources/mesh.py)."""
    from .base import resource_instance

    api = IonApi(api_name="mesh/v1")
    for cls in mesh.MESH_RESOURCES:
        resource = resource_instance(cls)
        resource._meta.authentication = mesh.MeshKeyAuthentication()
        api.register(resource, canonical=True)
    return api


_BUILT = {}


def __getattr__(name):
    """``v1_api`` and ``mesh_api`` are built on first use, after every app has registered its
    resources (URL configuration and tests load them once the app registry is ready)."""
    builders = {"v1_api": build_api, "mesh_api": build_mesh_api}
    if name not in builders:
        raise AttributeError(name)
    if name not in _BUILT:
        from django.apps import apps

        apps.check_apps_ready()
        _BUILT[name] = builders[name]()
    return _BUILT[name]
