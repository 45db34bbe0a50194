"""URL routes of a resource and the URIs it gives and reads (``/rundb/api/v1/<name>/<pk>/``)."""
from urllib.parse import quote

from django.urls import NoReverseMatch, re_path, reverse
from tastypie.bundle import Bundle
from tastypie.utils import trailing_slash


class UriMixin:
    def base_urls(self):
        name = self._meta.resource_name
        slash = trailing_slash
        return [
            re_path(rf"^(?P<resource_name>{name}){slash}$", self.wrap_view("dispatch_list"), name="api_dispatch_list"),
            re_path(rf"^(?P<resource_name>{name})/schema{slash}$", self.wrap_view("get_schema"), name="api_get_schema"),
            re_path(rf"^(?P<resource_name>{name})/set/(?P<pk_list>[^/]*){slash}$", self.wrap_view("get_multiple"), name="api_get_multiple"),
            re_path(rf"^(?P<resource_name>{name})/(?P<pk>[^/]+){slash}$", self.wrap_view("dispatch_detail"), name="api_dispatch_detail"),
        ]

    def list_uri(self):
        if self._list_uri is None:
            try:
                self._list_uri = reverse(
                    "api_dispatch_list",
                    kwargs={"api_name": self._meta.api_name, "resource_name": self._meta.resource_name},
                )
            except NoReverseMatch:
                # Nested-only resources (reportstorage) have no route; a write naming one still
                # needs a prefix to read ids from and to quote in error messages.
                self._list_uri = f"/rundb/api/{self._meta.api_name}/{self._meta.resource_name}/"
        return self._list_uri

    def uri_for_pk(self, pk):
        if self._meta.embedded:
            return ""
        if type(pk) is int:
            return f"{self.list_uri()}{pk}/"
        return f"{self.list_uri()}{quote(str(pk), safe='')}/"

    def get_resource_uri(self, bundle_or_obj=None, url_name="api_dispatch_list"):
        if bundle_or_obj is None:
            return self.list_uri()
        obj = bundle_or_obj.obj if isinstance(bundle_or_obj, Bundle) else bundle_or_obj
        if obj is None or obj.pk is None:
            return ""
        return self.uri_for_pk(obj.pk)

    def pk_from_uri(self, value):
        """A primary key from a URI of this resource, a bare pk, or None."""
        if isinstance(value, str):
            prefix = None if self._meta.embedded else self.list_uri()  # nested-only: no URL, ids only
            text = value
            if "://" in text:
                text = "/" + text.split("://", 1)[1].split("/", 1)[-1]
            if prefix and text.startswith(prefix):
                rest = text[len(prefix):].strip("/")
                return rest if rest and "/" not in rest else None
            if "/" in text:
                return None
            return text
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, dict):
            for key in ("pk", "id"):
                if value.get(key) not in (None, ""):
                    return value[key]
            if value.get("resource_uri"):
                return self.pk_from_uri(value["resource_uri"])
        return None
