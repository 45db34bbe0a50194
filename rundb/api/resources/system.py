"""Action-style endpoints without a model list: software version and site information.

``torrentsuite/version/``, ``getsoftwareinfo/`` and the schemas are anonymous (instruments and
peers probe them); ``torrentsuite/`` itself needs authentication. Nothing here changes the
system: the original's ``PUT torrentsuite/`` (start an OS update) is not offered."""
from importlib import metadata

from django.conf import settings
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from tastypie.exceptions import BadRequest, ImmediateHttpResponse
from tastypie.resources import Resource

from ..auth import authenticate_request, unauthorized_response
from ..base import IonMeta, check_format, error_response, json_response
from rundb.models import GlobalConfig

PACKAGES = ("django", "django-tastypie", "celery", "numpy", "pysam", "mappy")


def software_versions():
    versions = {"torrent-server": settings.ION_VERSION}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class ActionResource(Resource):
    """GET-only pseudo resource: ``<name>/`` (+ ``schema/`` and extra routes)."""

    anonymous = False
    fields_schema = {}
    openapi_fields = {}  # {field: JSON schema} for the OpenAPI document, where fields_schema's type is not exact

    class Meta(IonMeta):
        abstract = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Subclasses' own Meta classes inherit IonMeta's methods; GET is all these serve.
        self._meta.allowed_methods = self._meta.list_allowed_methods = ["get"]
        self._meta.detail_allowed_methods = []

    def base_urls(self):
        name = self._meta.resource_name
        return [
            re_path(rf"^(?P<resource_name>{name})/$", self.view(self.payload, self.anonymous),
                    name="api_dispatch_list"),
            re_path(rf"^(?P<resource_name>{name})/schema/$", self.view(self.schema, True), name="api_get_schema"),
        ]

    def view(self, func, anonymous):
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                response = error_response(f"Method {request.method} is not allowed here; allowed: GET.", 405)
                response["Allow"] = "GET"
                return response
            try:
                check_format(request)
            except BadRequest as exc:
                return error_response(str(exc))
            user = authenticate_request(request)
            if not anonymous and user is None:
                return unauthorized_response()
            try:
                return json_response(func(request))
            except ImmediateHttpResponse as exc:
                return exc.response

        wrapper.ion_permission = "anonymous" if anonymous else "authenticated"  # route walker, OpenAPI
        return wrapper

    def schema(self, request):
        return {
            "allowed_detail_http_methods": [], "allowed_list_http_methods": ["get"],
            "default_format": "application/json", "default_limit": 0, "filtering": {}, "ordering": [],
            "fields": self.fields_schema,
        }

    def payload(self, request):
        raise NotImplementedError


def _field(kind, help_text):
    return {"blank": False, "default": "No default provided.", "help_text": help_text, "nullable": True,
            "readonly": True, "type": kind, "unique": False}


class TorrentSuiteResource(ActionResource):
    fields_schema = {
        "meta_version": _field("string", "The server's software version."),
        "versions": _field("dict", "Versions of the installed components."),
        "locked": _field("boolean", "True while a software update runs (never, here)."),
        "logs": _field("boolean", "Update log (none)."),
    }

    class Meta(IonMeta):
        resource_name = "torrentsuite"

    def base_urls(self):
        return [
            re_path(r"^(?P<resource_name>torrentsuite)/version/$", self.view(self.version, True),
                    name="api_torrentsuite_version"),
            re_path(r"^(?P<resource_name>torrentsuite)/sgejobs/$", self.view(self.sgejobs, False),
                    name="api_torrentsuite_sgejobs"),
        ] + super().base_urls()

    def sgejobs(self, request):
        from .site_routes import sge_jobs

        return sge_jobs()

    def version(self, request):
        return {"meta_version": settings.ION_VERSION}

    def payload(self, request):
        return {"meta_version": settings.ION_VERSION, "versions": software_versions(), "locked": False,
                "logs": False}


class SoftwareInfoResource(ActionResource):
    anonymous = True
    fields_schema = {
        "site_name": _field("string", "Site name from the global configuration."),
        "software_release_version": _field("string", "The server's software version."),
        "server_mode": _field("string", "Always ruo (research use only)."),
        "software_platform": _field("string", "Always TS."),
    }

    class Meta(IonMeta):
        resource_name = "getsoftwareinfo"

    def payload(self, request):
        config = GlobalConfig.objects.order_by("pk").first()
        return {
            "site_name": (config.site_name if config else "") or "Torrent Server",
            "software_release_version": settings.ION_VERSION,
            "server_mode": "ruo",
            "software_platform": "TS",
        }
