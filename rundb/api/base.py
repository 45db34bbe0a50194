"""The shared behaviour of every ``/rundb/api/v1/`` resource.

``IonResource`` keeps tastypie's URL layout, dispatch, schema and write flow, and replaces:

* **dehydration**: a compiled, batched engine (:meth:`IonResource.dehydrate_objects`).
  To-many URIs and nested objects are loaded with one query per relation per page, never
  per row, so the number of queries of a list request does not depend on ``limit``;
* **filtering / ordering**: :mod:`rundb.api.filters` (every field, every qualifier,
  traversal checked hop by hop against resource fields);
* **hydration**: only the keys present in the body are applied (PUT and PATCH alike keep
  absent fields), related fields take a URI, a primary key or ``{"id": ...}``, then
  ``full_clean()`` validates the row; errors are 400 ``{"error": {field: [messages]}}``;
* **errors**: JSON everywhere (400 / 403 / 404 / 405 / 409), 500 never shows a traceback;
* **transactions**: every write request runs in one transaction and is rolled back on any
  error response.
"""
import datetime as dt
import logging
import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import (
    EmptyResultSet,
    FieldError,
    FullResultSet,
    ObjectDoesNotExist,
    RequestDataTooBig,
    ValidationError,
)
from django.db import DataError, IntegrityError, transaction
from django.db.models import ForeignKey, ManyToOneRel, OneToOneField, OneToOneRel, ProtectedError
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from tastypie import fields as tp
from tastypie import http
from tastypie.bundle import Bundle
from tastypie.constants import ALL_WITH_RELATIONS
from tastypie.fields import NOT_PROVIDED
from tastypie.exceptions import (
    BadRequest,
    ImmediateHttpResponse,
    InvalidFilterError,
    InvalidSortError,
    NotFound,
    Unauthorized,
)
from tastypie.resources import ModelResource
from tastypie.utils import trailing_slash

from . import filters as flt
from .auth import IonAuthentication
from .fields import BigIntegerStringField, ComputedField, JSONField, converter_for, json_field_class
from .paginator import IonPaginator
from .permissions import IonAuthorization
from .serializers import IonSerializer, dumps

log = logging.getLogger(__name__)

# Secrets (keys, passwords, tokens, their hashes) are never filterable or orderable, through
# any relation path, and dehydrate to null except for the resource's own rule (see
# IonResource.is_secret / secret_visible). Matched on the field name and on its model attribute;
# ``Meta.secret_fields`` names more.
SECRET_NAME = re.compile(r"pass(word|wd|phrase)|api_?key|secret|token|(^|_)key_?hash|salt$", re.IGNORECASE)
IDENTITY_KEYS = ("id", "pk", "resource_uri")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CANNED_500 = "Sorry, this request could not be processed. Please try again later."


def json_response(data, status=200, **headers):
    response = HttpResponse(dumps(data), status=status, content_type="application/json")
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def error_response(message, status=400):
    return json_response({"error": message}, status=status)


def check_format(request):
    fmt = request.GET.get("format")
    if fmt is not None and fmt.lower() != "json":
        raise BadRequest(f"Unsupported format '{fmt}'. This server only speaks JSON: use format=json or omit it.")


def check_request(request, kwargs):
    """Refuse, before any work, what no resource can handle: bodies over ION_API_MAX_BODY (413)
    and NUL characters in the query string or URL (PostgreSQL cannot store or compare them)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Invalid Content-Length header.")
    limit = getattr(settings, "ION_API_MAX_BODY", 10 * 1024 * 1024)
    if length > limit:
        raise ImmediateHttpResponse(response=error_response(
            f"The request body is {length} bytes; the limit is {limit} bytes.", status=413))
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            raise BadRequest(f"Query parameter {key[:60]!r} contains a NUL character.")
    for value in kwargs.values():
        if isinstance(value, str) and "\x00" in value:
            raise BadRequest("The URL contains a NUL character.")


def check_compiles(queryset):
    """Some filter values fail only when the SQL is built (``?created__year=-1``: Python's
    datetime cannot hold the bounds): build it now, so they are a 400 rather than a failure
    while the page is read."""
    try:
        queryset.query.get_compiler(queryset.db).as_sql()
    except (EmptyResultSet, FullResultSet):
        pass
    except (ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise BadRequest(f"Invalid filter value: {exc}")


def validation_payload(exc):
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return [str(m) for m in exc.messages]


_INSTANCES = {}


def resource_instance(cls):
    """One shared instance per resource class (URI prefixes and compiled steps are cached)."""
    inst = _INSTANCES.get(cls)
    if inst is None:
        inst = _INSTANCES[cls] = cls()
    return inst


class IonMeta:
    api_name = "v1"
    authentication = IonAuthentication()
    authorization = IonAuthorization()
    serializer = IonSerializer()
    paginator_class = IonPaginator
    limit = 20
    max_limit = 1000
    default_format = "application/json"
    # List PUT replaces every row matching the query's filters with the body's objects; list
    # DELETE removes every matching row (both need the delete permission, as the SDK reference).
    list_allowed_methods = ["get", "post", "put", "patch", "delete"]
    detail_allowed_methods = ["get", "put", "patch", "delete"]
    always_return_data = False
    include_absolute_url = False
    # None: every field filterable with relations / orderable. A dict / list restricts.
    filter_fields = None
    order_fields = None
    # Nested-only resources (not registered) show ``resource_uri: ""`` like the original.
    embedded = False
    # Field names that are secret beyond those SECRET_NAME matches.
    secret_fields = ()


class Page:
    """Per-request dehydration context shared by all rows of one response."""

    __slots__ = ("request", "for_list", "values", "extra")

    def __init__(self, request, for_list):
        self.request = request
        self.for_list = for_list
        self.values = {}  # step name -> {owner key: value}
        self.extra = {}  # resource-specific batch data


class Step:
    __slots__ = ("name", "kind", "attr", "conv", "field", "method", "rel", "res")

    def __init__(self, name, kind, field=None, attr=None, conv=None, method=None, rel=None, res=None):
        self.name, self.kind, self.field, self.attr = name, kind, field, attr
        self.conv, self.method, self.rel, self.res = conv, method, rel, res


def _type_problem(field, value):
    """Why ``value`` (parsed JSON) cannot be a value of API field ``field``, or None. Only what
    would otherwise raise outside validation (TypeError, OverflowError ...) is refused here;
    values of a plausible type are left to ``full_clean`` so that all field errors are reported
    together."""
    if isinstance(field, JSONField):
        return None
    if isinstance(field, tp.ToManyField):
        return None if isinstance(value, list) else "Expected a list of URIs or ids."
    if isinstance(field, tp.ToOneField):
        if isinstance(value, (list, bool, float)):
            return "Expected a URI, an id or {\"id\": ...}."
        return None
    if isinstance(field, tp.ListField):
        return None if isinstance(value, list) else "Expected a list."
    if isinstance(field, tp.DictField):
        return None if isinstance(value, dict) else "Expected an object."
    if isinstance(value, (dict, list)):
        return f"Expected a {field.dehydrated_type}, got a JSON {'object' if isinstance(value, dict) else 'list'}."
    if isinstance(field, (tp.DateTimeField, tp.DateField, tp.TimeField)):
        return None if isinstance(value, str) else "Expected an ISO-8601 date/time string."
    if isinstance(field, (tp.FloatField, tp.DecimalField)):
        # Strings and booleans are left to the model field (its message names the value);
        # an integer beyond float range would raise OverflowError there.
        if isinstance(value, int) and not isinstance(value, bool) and not -1e308 < value < 1e308:
            return "The number is out of range."
        return None
    return None


class IonResource(ModelResource):
    class Meta(IonMeta):
        abstract = True

    def __init__(self, api_name=None):
        super().__init__(api_name=api_name)
        self._steps = None
        self._list_uri = None

    # ------------------------------------------------------------------ fields

    @classmethod
    def api_field_from_django_field(cls, f, default=tp.CharField):
        internal = f.get_internal_type()
        if internal == "JSONField":
            return json_field_class(f)
        if internal == "BigIntegerField":
            return BigIntegerStringField
        return super().api_field_from_django_field(f, default=default)

    @property
    def model(self):
        return self._meta.object_class

    def related_resource(self, name):
        return resource_instance(self.fields[name].to_class)

    def is_secret(self, name):
        """Keys, passwords, tokens and their hashes: never filtered, ordered or shown to others."""
        field = self.fields.get(name)
        attribute = getattr(field, "attribute", None) or ""
        return (
            name in (getattr(self._meta, "secret_fields", None) or ())
            or bool(SECRET_NAME.search(name))
            or (isinstance(attribute, str) and bool(SECRET_NAME.search(attribute)))
        )

    def secret_visible(self, name, bundle):
        """Whether a secret field's value may be shown to this caller (default: superusers, who
        own the site's configuration). A ``dehydrate_<name>`` method replaces this rule."""
        user = getattr(bundle.request, "user", None)
        return bool(getattr(user, "is_superuser", False))

    def filter_rule(self, name):
        if self.is_secret(name):
            return None
        rules = self._meta.filter_fields
        if rules is None:
            return ALL_WITH_RELATIONS if self.fields[name].attribute else None
        return rules.get(name)

    def is_orderable(self, name):
        if self.is_secret(name):
            return False
        allowed = self._meta.order_fields
        field = self.fields[name]
        if allowed is None:
            return field.attribute is not None and not isinstance(field, tp.ToManyField)
        return name in allowed

    def ignores_filter(self, name):
        """Names this resource treats as its own query parameters rather than field filters."""
        return False

    # -------------------------------------------------------------------- URIs

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

    def detail_uri_kwargs(self, bundle_or_obj):
        obj = bundle_or_obj.obj if isinstance(bundle_or_obj, Bundle) else bundle_or_obj
        return {"pk": obj.pk}

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

    # --------------------------------------------------------------- dispatch

    def wrap_view(self, view):
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            try:
                check_format(request)
                check_request(request, kwargs)
                callback = getattr(self, view)
                if request.method in SAFE_METHODS:
                    return callback(request, *args, **kwargs)
                with transaction.atomic():
                    response = callback(request, *args, **kwargs)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
                    return response
            except ImmediateHttpResponse as exc:
                return exc.response
            except RequestDataTooBig:
                return error_response("The request body is too large.", status=413)
            except (BadRequest, InvalidFilterError, InvalidSortError, tp.ApiFieldError) as exc:
                return error_response(str(exc.args[0]) if exc.args else "Bad request.")
            except ValidationError as exc:
                return error_response(validation_payload(exc))
            except Unauthorized as exc:
                return error_response(str(exc) or "Permission denied.", status=403)
            except (NotFound, ObjectDoesNotExist, Http404) as exc:
                return error_response(str(exc) or "Not found.", status=404)
            except ProtectedError as exc:
                return error_response(f"This object is still referenced and cannot be deleted: {exc.args[0]}", 409)
            except IntegrityError as exc:
                return error_response(f"Conflicts with existing data: {str(exc).splitlines()[0]}", 409)
            except DataError as exc:
                return error_response(f"The database rejected a value: {str(exc).splitlines()[0]}")
            except Exception:
                log.exception("Internal error on %s %s", request.method, request.path)
                return json_response({"error_message": CANNED_500}, status=500)

        return wrapper

    def method_check(self, request, allowed=None):
        allowed = allowed or []
        method = request.method.lower()
        allows = ",".join(m.upper() for m in allowed)
        if method == "options":
            response = HttpResponse(allows)
            response["Allow"] = allows
            raise ImmediateHttpResponse(response=response)
        if method == "head" and "get" in allowed:
            return "get"
        if method not in allowed:
            response = error_response(
                f"Method {request.method} is not allowed here; allowed: {allows.replace(',', ', ') or 'none'}.",
                status=405,
            )
            response["Allow"] = allows
            raise ImmediateHttpResponse(response=response)
        return method

    def unauthorized_result(self, exception):
        message = str(exception) or "You do not have permission to do that."
        raise ImmediateHttpResponse(response=error_response(message, status=403))

    def determine_format(self, request):
        return "application/json"

    def create_response(self, request, data, response_class=HttpResponse, **response_kwargs):
        return response_class(content=dumps(data), content_type="application/json", **response_kwargs)

    def error_response(self, request, errors, response_class=None):
        response_class = response_class or http.HttpBadRequest
        return response_class(content=dumps(errors), content_type="application/json")

    def deserialize(self, request, data, format="application/json"):
        return self._meta.serializer.deserialize(data, format=request.META.get("CONTENT_TYPE") or format)

    def alter_deserialized_detail_data(self, request, data):
        if not isinstance(data, dict):
            raise BadRequest("The request body must be a JSON object.")
        self.check_body_types(data)
        return data

    def check_body_types(self, data):
        """400 ``{"error": {field: [message]}}`` for a value whose JSON type cannot fit its field
        (a list for a string, a dict for a date, a number too large for a float ...), before any
        resource code looks at it. Runs for every write body (POST, PUT, PATCH, PATCH-list items)."""
        errors = {}
        for name, value in list(data.items()):
            field = self.fields.get(name) if isinstance(name, str) else None
            if field is None or value is None or field.readonly:
                continue
            problem = _type_problem(field, value)
            if problem:
                errors[name] = [problem]
            elif type(field) is tp.CharField and isinstance(value, (int, float)):  # bool too: "True"
                # The model would store str(value) anyway; resource code that looks the value up
                # before hydration (plan kit names ...) then never sends a number to a text query.
                data[name] = str(value)
        if errors:
            raise ValidationError(errors)

    # ----------------------------------------------------------------- reads

    def get_object_list(self, request):
        return self._meta.queryset._clone()

    def apply_custom_filters(self, queryset, request):
        """Hook for resource-specific query parameters (``?distinct``, ``?isThumbnail`` ...)."""
        return queryset

    def obj_get_list(self, bundle, **kwargs):
        request = bundle.request
        query = request.GET if request is not None else {}
        filters, distinct = flt.build_filters(self, query)
        queryset = self.apply_custom_filters(self.get_object_list(request), request)
        try:
            queryset = queryset.filter(**filters)
        except (ValueError, TypeError, ValidationError):
            raise BadRequest("Invalid resource lookup data provided (mismatched type).")
        except FieldError as exc:
            raise BadRequest(f"Invalid filter: {exc}")
        if distinct:
            queryset = queryset.distinct()
        if filters:
            check_compiles(queryset)
        return self.authorized_read_list(queryset, bundle)

    def apply_sorting(self, obj_list, options=None):
        args = flt.build_ordering(self, options or {})
        if args:
            if not any(a.lstrip("-") in ("pk", "id") for a in args):
                args.append("-pk")  # stable paging
            try:
                return obj_list.order_by(*args)
            except FieldError as exc:
                raise BadRequest(f"Invalid ordering: {exc}")
        if not obj_list.ordered:
            return obj_list.order_by("-pk")
        return obj_list

    def obj_get(self, bundle, **kwargs):
        kwargs = self.remove_api_resource_names(kwargs)
        queryset = self.get_object_list(bundle.request)
        try:
            obj = queryset.get(**kwargs)
        except (ValueError, TypeError, ValidationError):
            raise NotFound(f"No {self._meta.resource_name} with id '{kwargs.get('pk')}'.")
        except self.model.DoesNotExist:
            raise NotFound(f"No {self._meta.resource_name} with id '{kwargs.get('pk')}'.")
        bundle.obj = obj
        self.authorized_read_detail(queryset, bundle)
        return obj

    def cached_obj_get(self, bundle, **kwargs):
        return self.obj_get(bundle, **kwargs)

    def get_list(self, request, **kwargs):
        base_bundle = self.build_bundle(request=request)
        objects = self.obj_get_list(bundle=base_bundle, **self.remove_api_resource_names(kwargs))
        objects = self.apply_sorting(objects, options=request.GET)
        paginator = self._meta.paginator_class(
            request.GET, objects, resource_uri=self.list_uri(), limit=self._meta.limit,
            max_limit=self._meta.max_limit, collection_name="objects",
        )
        try:
            page = paginator.page()
            rows = list(page["objects"])
        except DataError as exc:  # e.g. a regex the database does not accept
            raise BadRequest(f"Invalid filter value: {str(exc).splitlines()[0]}")
        page["objects"] = self.dehydrate_objects(rows, request, for_list=True)
        page = self.alter_list_data_to_serialize(request, page)
        return self.create_response(request, page)

    def get_detail(self, request, **kwargs):
        bundle = self.build_bundle(request=request)
        obj = self.obj_get(bundle, **self.remove_api_resource_names(kwargs))
        data = self.dehydrate_objects([obj], request, for_list=False)[0]
        data = self.alter_detail_data_to_serialize(request, data)
        return self.create_response(request, data)

    def get_multiple(self, request, **kwargs):
        self.method_check(request, allowed=["get"])
        self.is_authenticated(request)
        wanted = [k for k in kwargs.get("pk_list", "").split(";") if k != ""]
        bundle = self.build_bundle(request=request)
        found = {}
        clean = []
        for key in wanted:
            try:
                clean.append(self.model._meta.pk.to_python(key))
            except ValidationError:
                continue
        if clean:
            queryset = self.obj_get_list(bundle).filter(pk__in=clean)
            found = {str(obj.pk): obj for obj in queryset}
        present = [found[k] for k in wanted if k in found]
        data = dict(zip((str(o.pk) for o in present), self.dehydrate_objects(present, request, for_list=True)))
        result = {"objects": [data[k] for k in wanted if k in data]}
        missing = [k for k in wanted if k not in found]
        if missing:
            result["not_found"] = missing
        return self.create_response(request, result)

    def get_schema(self, request, **kwargs):
        self.method_check(request, allowed=["get"])
        return self.create_response(request, self.build_schema())

    def build_schema(self):
        schema = super().build_schema()
        schema["filtering"] = {
            name: self.filter_rule(name) for name in self.fields if name != "resource_uri" and self.filter_rule(name)
        }
        schema["ordering"] = [name for name in self.fields if name != "resource_uri" and self.is_orderable(name)]
        schema["default_limit"] = self._meta.limit
        for info in schema["fields"].values():
            default = info.get("default")
            if isinstance(default, NOT_PROVIDED) or default is NOT_PROVIDED:
                info["default"] = "No default provided."
            elif callable(default):
                info["default"] = "computed when created"
            elif isinstance(default, (dt.datetime, dt.date)):
                info["default"] = default.isoformat()
        return schema

    # -------------------------------------------------------------- dehydrate

    def full_dehydrate(self, bundle, for_list=False):
        bundle.data.update(self.dehydrate_objects([bundle.obj], bundle.request, for_list=for_list)[0])
        return bundle

    def include_field(self, name, page):
        """Per-request visibility beyond ``use_in`` (e.g. ``results.pluginState`` in lists)."""
        return True

    def _compile(self):
        steps = []
        model = self.model
        for name, field in self.fields.items():
            method = getattr(self, f"dehydrate_{name}", None)
            if name == "resource_uri":
                steps.append(Step(name, "uri", field))
            elif isinstance(field, tp.RelatedField):
                step = self._compile_related(name, field, model, method)
                step.res = self.related_resource(name)
                steps.append(step)
            elif method is not None or field.attribute is None:
                steps.append(Step(name, "method", field, method=method))
            elif self.is_secret(name):
                steps.append(Step(name, "method", field, method=self._secret_getter(name, field)))
            elif "__" in field.attribute:
                steps.append(Step(name, "path", field, attr=field.attribute.split("__"), conv=converter_for(field)))
            else:
                steps.append(Step(name, "attr", field, attr=field.attribute, conv=converter_for(field)))
        return steps

    def _secret_getter(self, name, field):
        conv = converter_for(field)
        path = field.attribute.split("__")

        def dehydrate_secret(bundle):
            if not self.secret_visible(name, bundle):
                return None
            value = bundle.obj
            for part in path:
                value = getattr(value, part, None)
                if value is None:
                    return None
            return value if conv is None else conv(value)

        return dehydrate_secret

    def _compile_related(self, name, field, model, method):
        if method is not None:
            return Step(name, "method", field, method=method)
        many = isinstance(field, tp.ToManyField)
        try:
            rel = flt.model_relation(model, field.attribute) if field.attribute else None
        except Exception:
            rel = None
        if many:
            return Step(name, "many_full" if field.full else "many", field, attr=field.attribute, rel=rel)
        if isinstance(rel, (ForeignKey, OneToOneField)):
            kind = "one_full" if field.full else "one_fk"
            return Step(name, kind, field, attr=field.attribute, conv=rel.attname, rel=rel)
        if isinstance(rel, (OneToOneRel, ManyToOneRel)):
            return Step(name, "one_rev_full" if field.full else "one_rev", field, attr=field.attribute, rel=rel)
        return Step(name, "one_attr", field, attr=field.attribute)

    def steps(self):
        if self._steps is None:
            self._steps = self._compile()
        return self._steps

    def _active_steps(self, page):
        active = []
        mode = "list" if page.for_list else "detail"
        for step in self.steps():
            use_in = step.field.use_in if step.field is not None else "all"
            if callable(use_in):
                if not use_in(Bundle(request=page.request)):
                    continue
            elif use_in not in ("all", mode):
                continue
            if not self.include_field(step.name, page):
                continue
            if step.kind in ("many_full", "one_full", "one_rev_full") and not self._full_wanted(step.field, page):
                step = Step(step.name, {"many_full": "many", "one_full": "one_fk", "one_rev_full": "one_rev"}[step.kind],
                            step.field, attr=step.attr, conv=step.conv, rel=step.rel, res=step.res)
            active.append(step)
        return active

    def _full_wanted(self, field, page):
        bundle = Bundle(request=page.request)
        return field.full_list(bundle) if page.for_list else field.full_detail(bundle)

    def prefetch_page(self, objs, page):
        """Hook: batch-load what computed fields need into ``page.extra``."""

    def dehydrate_objects(self, objs, request, for_list=True):
        page = Page(request, for_list)
        if not objs:
            return []
        steps = self._active_steps(page)
        pks = [o.pk for o in objs]
        batched = [s for s in steps if s.kind == "many" and flt.pair_sql_parts(self.model, s.attr) is not None]
        if batched:
            page.values.update(self._load_many_batched(batched, pks))
        for step in steps:
            if step in batched:
                continue
            loader = getattr(self, f"_load_{step.kind}", None)
            if loader is not None:
                page.values[step.name] = loader(step, objs, pks, page)
        self.prefetch_page(objs, page)
        need_bundle = any(s.kind == "method" for s in steps) or self._has_dehydrate_hook()
        out = []
        values = page.values
        for obj in objs:
            data = {}
            bundle = None
            if need_bundle:
                bundle = Bundle(obj=obj, request=request)
                bundle.data = data  # Bundle() would swap an empty dict for a new one
                bundle.page = page
            for step in steps:
                kind = step.kind
                if kind == "attr":
                    value = getattr(obj, step.attr)
                    if value is not None and step.conv is not None:
                        value = step.conv(value)
                    data[step.name] = value
                elif kind == "uri":
                    data[step.name] = self.uri_for_pk(obj.pk)
                elif kind == "path":
                    value = obj
                    for part in step.attr:
                        value = getattr(value, part, None)
                        if value is None:
                            break
                    data[step.name] = value if value is None or step.conv is None else step.conv(value)
                elif kind == "one_fk":
                    fk = getattr(obj, step.conv)
                    data[step.name] = None if fk is None else step.res.uri_for_pk(fk)
                elif kind == "method":
                    data[step.name] = step.method(bundle)
                elif kind == "one_full":
                    fk = getattr(obj, step.conv)
                    data[step.name] = None if fk is None else values[step.name].get(fk)
                else:  # many, many_full, one_rev, one_rev_full, one_attr: loaded per owner pk
                    data[step.name] = values[step.name].get(obj.pk, [] if kind in ("many", "many_full") else None)
            if need_bundle and self._has_dehydrate_hook():
                bundle = self.dehydrate(bundle)
                data = bundle.data
            out.append(data)
        return out

    def _has_dehydrate_hook(self):
        return type(self).dehydrate is not ModelResource.dehydrate

    def related_queryset(self, name, page):
        """Queryset used to load nested rows of relation ``name`` (hook for select_related)."""
        res = self.related_resource(name)
        return res.get_object_list(page.request)

    def _load_many_batched(self, steps, pks):
        """URI lists of several to-many relations in one UNION ALL query (per 1000 owners)."""
        groups = {s.name: {pk: [] for pk in pks} for s in steps}
        rows = flt.pairs_union(self.model, [s.attr for s in steps], pks)
        by_index = {}
        for index, owner, related, sort_key in rows:
            by_index.setdefault(index, {}).setdefault(owner, []).append((sort_key, related))
        for index, step in enumerate(steps):
            descending = flt.pair_sql_parts(self.model, step.attr)[-1]
            target = groups[step.name]
            uri = step.res.uri_for_pk
            for owner, pairs in by_index.get(index, {}).items():
                pairs.sort(reverse=descending)
                target[owner] = [uri(related) for _, related in pairs]
        return groups

    def _load_many(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        grouped = {pk: [] for pk in pks}
        for owner, pk in flt.related_pairs_query(self.model, step.attr, pks):
            grouped.setdefault(owner, []).append(res.uri_for_pk(pk))
        return grouped

    def _load_many_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        grouped = flt.related_objects(self.model, step.attr, pks, self.related_queryset(step.name, page))
        flat = [o for group in grouped.values() for o in group]
        unique = list({id(o): o for o in flat}.values())
        dehydrated = dict(zip(map(id, unique), res.dehydrate_objects(unique, page.request, page.for_list)))
        return {owner: [dehydrated[id(o)] for o in group] for owner, group in grouped.items()}

    def _load_one_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        cached, missing = {}, set()
        for obj in objs:
            fk = getattr(obj, step.conv)
            if fk is None:
                continue
            if step.rel.is_cached(obj):
                cached[fk] = getattr(obj, step.attr)
            else:
                missing.add(fk)
        if missing:
            for rel_obj in self.related_queryset(step.name, page).filter(pk__in=missing):
                cached[rel_obj.pk] = rel_obj
        related = list(cached.values())
        page.extra.setdefault("objects", {})[step.name] = cached  # computed fields may reuse them
        return dict(zip((o.pk for o in related), res.dehydrate_objects(related, page.request, page.for_list)))

    def _rev_groups(self, step, pks, page):
        rel = step.rel
        qs = self.related_queryset(step.name, page).filter(**{f"{rel.field.name}__in": pks})
        attname = rel.field.attname
        groups = {}
        for obj in qs:
            groups.setdefault(getattr(obj, attname), []).append(obj)
        return groups

    def _load_one_rev(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        return {owner: res.uri_for_pk(group[0].pk) for owner, group in self._rev_groups(step, pks, page).items()}

    def _load_one_rev_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        firsts = {owner: group[0] for owner, group in self._rev_groups(step, pks, page).items()}
        related = list(firsts.values())
        dehydrated = dict(zip(map(id, related), res.dehydrate_objects(related, page.request, page.for_list)))
        return {owner: dehydrated[id(o)] for owner, o in firsts.items()}

    def _load_one_attr(self, step, objs, pks, page):
        # A to-one through a property: no batching possible; resources should avoid it in lists.
        res = self.related_resource(step.name)
        out = {}
        for obj in objs:
            target = getattr(obj, step.attr, None)
            out[obj.pk] = None if target is None else res.uri_for_pk(target.pk)
        return out

    # ----------------------------------------------------------------- writes

    def identity_keys(self):
        """Body keys that name the row rather than describe it: ``id``, ``pk``, ``resource_uri``
        and, for a natural key (rig name), the primary-key field."""
        pk_name = self.model._meta.pk.name
        return IDENTITY_KEYS if pk_name in IDENTITY_KEYS else IDENTITY_KEYS + (pk_name,)

    def auto_pk(self):
        return self.model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")

    def check_identity(self, bundle):
        """The URL chooses the row, never the body. On a write to an existing row (PUT/PATCH
        detail, PATCH-list entries with a ``resource_uri``) a body ``id`` / ``pk`` /
        ``resource_uri`` (or natural key) equal to the row's is ignored and a different one is 400,
        so a body cannot copy a row or re-target the write. On create, ``id``, ``pk`` and
        ``resource_uri`` are ignored (the database hands out ids); a natural key is data."""
        obj = bundle.obj
        if obj.pk is None:
            return
        errors = {}
        for key in self.identity_keys():
            if key not in bundle.data:
                continue
            value = bundle.data[key]
            if value is None or value == "":
                continue  # says nothing about the row
            named = self.pk_from_uri(value) if key == "resource_uri" else value
            if named is None or str(named) != str(obj.pk):
                errors[key] = [f"The body names another row ({value!r:.80}) than the URL ({obj.pk!r}); "
                               "a write cannot change a row's identity."]
        if errors:
            raise ValidationError(errors)

    def full_hydrate(self, bundle):
        if bundle.obj is None:
            bundle.obj = self.model()
        self.check_identity(bundle)
        bundle = self.hydrate(bundle)
        data = bundle.data
        bundle.m2m_pending = {}
        errors = {}
        skip = IDENTITY_KEYS if (self.auto_pk() or bundle.obj.pk is not None) else ("pk", "resource_uri")
        skip = set(skip) | ({self.model._meta.pk.name} if bundle.obj.pk is not None else set())
        for name, field in self.fields.items():
            if field.readonly or name in skip:
                continue
            method = getattr(self, f"hydrate_{name}", None)
            if method is not None:
                bundle = method(bundle)
            if name not in data or field.attribute is None:
                continue
            value = data[name]
            try:
                if isinstance(field, tp.ToManyField):
                    bundle.m2m_pending[field.attribute] = self._resolve_many(name, value)
                elif isinstance(field, tp.ToOneField):
                    setattr(bundle.obj, field.attribute, self._resolve_one(name, field, value))
                else:
                    setattr(bundle.obj, field.attribute, self._hydrate_value(name, field, value))
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
        if bundle.obj._state.adding:
            for name in self.missing_required(bundle):
                errors.setdefault(name, []).append(
                    "This field is required: it has no data and allows neither a default nor null.")
        if errors:
            raise ValidationError(errors)
        return bundle

    def required_fields(self):
        """Writable fields a create must give: not null, not blank, no default (tastypie's rule)."""
        return [name for name, field in self.fields.items()
                if name != "resource_uri" and not field.readonly and field.attribute
                and not (field.null or field.blank or field.has_default())]

    def missing_required(self, bundle):
        """Required fields absent from the body that no hook filled in (e.g. project ``creator``)."""
        missing = []
        for name in self.required_fields():
            if name in bundle.data:
                continue
            try:
                model_field = self.model._meta.get_field(self.fields[name].attribute)
            except Exception:  # a property or a traversal: the model's own checks apply
                continue
            if not getattr(model_field, "concrete", False):
                continue
            value = getattr(bundle.obj, model_field.attname, None)
            if value is None or value == "":
                missing.append(name)
        return missing

    def _hydrate_value(self, name, field, value):
        if value is None:
            if not field.null and isinstance(field, (tp.CharField,)) and not isinstance(field, (JSONField,)):
                return value  # full_clean names the field
            return None
        if value == "" and isinstance(field, (tp.IntegerField, tp.FloatField, tp.DecimalField, BigIntegerStringField)):
            # full_clean skips blank values of blank=True fields, and the database cannot take "".
            if field.null:
                return None
            raise ValidationError("A number is required.")
        if isinstance(field, JSONField):
            try:
                return field.clean_input(value)
            except ValueError as exc:
                raise ValidationError(str(exc))
        if isinstance(field, BigIntegerStringField):
            try:
                return int(value)
            except (TypeError, ValueError):
                raise ValidationError(f"'{value}' is not an integer.")
        if isinstance(field, tp.DateTimeField) and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is None:
                day = parse_date(value)
                if day is None:
                    raise ValidationError(f"'{value}' is not an ISO-8601 date/time.")
                parsed = dt.datetime.combine(day, dt.time())
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, dt.timezone.utc)
            return parsed
        if isinstance(field, tp.BooleanField):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.lower() in ("true", "1", "yes")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise ValidationError(f"'{value}' is not a boolean (true or false).")
        if isinstance(field, (tp.CharField,)) and isinstance(value, (dict, list)):
            raise ValidationError("Expected a string.")
        return value

    def _resolve_one(self, name, field, value):
        if value is None or value == "":
            if not field.null:
                raise ValidationError("This field is required and cannot be null.")
            return None
        res = self.related_resource(name)
        pk = res.pk_from_uri(value)
        if pk is None:
            raise ValidationError(
                f"Expected a {res._meta.resource_name} URI ({res.list_uri()}<id>/), an id or {{\"id\": ...}}, got {value!r}."
            )
        try:
            return res.model._default_manager.get(pk=pk)
        except (res.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise ValidationError(f"No {res._meta.resource_name} with id '{pk}'.")

    def _resolve_many(self, name, value):
        if value is None:
            value = []
        if not isinstance(value, (list, tuple)):
            raise ValidationError("Expected a list of URIs or ids.")
        res = self.related_resource(name)
        out = []
        for item in value:
            pk = res.pk_from_uri(item)
            if pk is None:
                raise ValidationError(f"Expected a {res._meta.resource_name} URI or id, got {item!r}.")
            try:
                out.append(res.model._default_manager.get(pk=pk))
            except (res.model.DoesNotExist, ValueError, TypeError, ValidationError):
                raise ValidationError(f"No {res._meta.resource_name} with id '{pk}'.")
        return out

    def validate_bundle(self, bundle, creating):
        """Hook for resource rules beyond the model's; raise ValidationError({field: msg})."""

    def after_save(self, bundle, creating):
        """Hook run in the same transaction after the row (and its M2M) are saved."""

    def save(self, bundle, skip_errors=False, creating=None):
        if creating is None:
            creating = bundle.obj._state.adding
        queryset = self.get_object_list(bundle.request)
        if creating:
            self.authorized_create_detail(queryset, bundle)
        else:
            self.authorized_update_detail(queryset, bundle)
        self.validate_bundle(bundle, creating)
        bundle.obj.full_clean(exclude=self.clean_exclude())
        bundle.obj.save()
        for attr, objs in getattr(bundle, "m2m_pending", {}).items():
            getattr(bundle.obj, attr).set(objs)
        self.after_save(bundle, creating)
        return bundle

    def clean_exclude(self):
        return []

    def obj_create(self, bundle, **kwargs):
        bundle.obj = self.model()
        for key, value in self.remove_api_resource_names(kwargs).items():
            setattr(bundle.obj, key, value)
        bundle = self.full_hydrate(bundle)
        return self.save(bundle, creating=True)

    def obj_update(self, bundle, skip_errors=False, **kwargs):
        kwargs = self.remove_api_resource_names(kwargs)
        kwargs.pop("request", None)
        lookup = {"pk": kwargs["pk"]} if "pk" in kwargs else kwargs
        try:
            obj = self.get_object_list(bundle.request).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(f"No {self._meta.resource_name} with id '{lookup.get('pk')}'.")
        bundle.obj = obj
        # Check the row as it is now, so a write cannot move a row into the caller's reach.
        self.authorized_update_detail(self.get_object_list(bundle.request), bundle)
        bundle = self.full_hydrate(bundle)
        return self.save(bundle, creating=False)

    def obj_delete(self, bundle, **kwargs):
        obj = self.obj_get(bundle, **kwargs)
        bundle.obj = obj
        self.authorized_delete_detail(self.get_object_list(bundle.request), bundle)
        obj.delete()

    def rollback(self, bundles):
        transaction.set_rollback(True)

    def post_list(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        bundle = self.obj_create(bundle, **self.remove_api_resource_names(kwargs))
        location = request.build_absolute_uri(self.get_resource_uri(bundle))
        if not self._meta.always_return_data:
            return http.HttpCreated(location=location)
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        body = self.alter_detail_data_to_serialize(request, body)
        return self.create_response(request, body, response_class=http.HttpCreated, location=location)

    def put_detail(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        kwargs = self.remove_api_resource_names(kwargs)
        try:
            bundle = self.obj_update(bundle, **kwargs)
        except NotFound:
            if self.model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
                # Ids are the database's to hand out (a chosen id would also desynchronise the
                # PostgreSQL sequence); PUT creates only where the key is natural, e.g. rig names.
                raise
            bundle = self.build_bundle(data=data, request=request)
            bundle = self.obj_create(bundle, pk=kwargs["pk"])
            location = request.build_absolute_uri(self.get_resource_uri(bundle))
            if not self._meta.always_return_data:
                return http.HttpCreated(location=location)
            body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
            return self.create_response(request, body, response_class=http.HttpCreated, location=location)
        if not self._meta.always_return_data:
            return http.HttpNoContent()
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        return self.create_response(request, self.alter_detail_data_to_serialize(request, body))

    def patch_detail(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        bundle = self.obj_update(bundle, **self.remove_api_resource_names(kwargs))
        if not self._meta.always_return_data:
            return http.HttpAccepted()
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        body = self.alter_detail_data_to_serialize(request, body)
        return self.create_response(request, body, response_class=http.HttpAccepted)

    def patch_list(self, request, **kwargs):
        data = self.deserialize(request, request.body)
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise BadRequest("Invalid data sent: send {\"objects\": [...], \"deleted_objects\": [uri, ...]}.")
        seen = []
        for item in data["objects"]:
            if not isinstance(item, dict):
                raise BadRequest("Each entry of 'objects' must be a JSON object.")
            item = dict(item)
            self.check_body_types(item)
            uri = item.pop("resource_uri", None)
            bundle = self.build_bundle(data=item, request=request)
            pk = self.pk_from_uri(uri) if uri else None
            try:  # a key of the wrong type names no row and must not reach the create path
                pk = None if pk is None else self.model._meta.pk.to_python(pk)
            except ValidationError:
                pk = None
            if uri and pk is None:
                raise BadRequest(f"'{uri}' is not a {self._meta.resource_name} URI.")
            if pk is not None:
                try:
                    bundle = self.obj_update(bundle, pk=pk)
                except NotFound:
                    if self.auto_pk():
                        raise  # as PUT: the body does not choose database ids
                    bundle = self.obj_create(self.build_bundle(data=item, request=request), pk=pk)
            else:
                bundle = self.obj_create(bundle)
            seen.append(bundle.obj)
        for uri in data.get("deleted_objects") or []:
            pk = self.pk_from_uri(uri)
            if pk is None:
                raise BadRequest(f"'{uri}' is not a {self._meta.resource_name} URI.")
            if "delete" not in self._meta.detail_allowed_methods:
                raise BadRequest(f"{self._meta.resource_name} rows cannot be deleted.")
            self.obj_delete(self.build_bundle(request=request), pk=pk)
        if not self._meta.always_return_data:
            return http.HttpAccepted()
        body = {"objects": self.dehydrate_objects(seen, request, for_list=True)}
        return self.create_response(request, body, response_class=http.HttpAccepted)

    def _matching_rows(self, request, **kwargs):
        """The rows a list PUT / DELETE acts on: those the query's filters select (delete permission)."""
        bundle = self.build_bundle(request=request)
        rows = self.obj_get_list(bundle, **self.remove_api_resource_names(kwargs))
        rows = self.authorized_delete_list(rows, bundle)
        # A plain pk subquery: the list queryset may carry annotations or DISTINCT.
        return self.model._default_manager.filter(pk__in=rows.values("pk"))

    def put_list(self, request, **kwargs):
        data = self.deserialize(request, request.body)
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise BadRequest("Invalid data sent: send {\"objects\": [...]} (every row matching the filters "
                             "is replaced by these).")
        if not all(isinstance(item, dict) for item in data["objects"]):
            raise BadRequest("Each entry of 'objects' must be a JSON object.")
        self._matching_rows(request, **kwargs).delete()
        created = []
        for item in data["objects"]:
            item = {k: v for k, v in item.items() if k != "resource_uri"}
            bundle = self.obj_create(self.build_bundle(data=item, request=request))
            created.append(bundle.obj)
        if not self._meta.always_return_data:
            return http.HttpNoContent()
        body = {"objects": self.dehydrate_objects(created, request, for_list=True)}
        return self.create_response(request, body)

    def delete_list(self, request, **kwargs):
        self._matching_rows(request, **kwargs).delete()
        return http.HttpNoContent()

    def delete_detail(self, request, **kwargs):
        self.obj_delete(self.build_bundle(request=request), **self.remove_api_resource_names(kwargs))
        return http.HttpNoContent()


class ReadOnlyMeta(IonMeta):
    list_allowed_methods = ["get"]
    detail_allowed_methods = ["get"]


__all__ = [
    "IonResource", "IonMeta", "ReadOnlyMeta", "ComputedField", "JSONField", "BigIntegerStringField",
    "json_response", "error_response", "check_format", "resource_instance", "CANNED_500",
]
