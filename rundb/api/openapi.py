"""The OpenAPI 3.1 document of ``/rundb/api/v1/``, generated from what is served.

Nothing here is written by hand per endpoint, so the document cannot drift from the code:

* every Tastypie resource registered in :data:`rundb.api.api.v1_api` gives its list, detail,
  ``schema/`` and ``set/`` operations, for the methods its ``Meta`` allows, with request and
  response schemas built from its fields (types, nullability, read-only, required-on-create),
  its filters and orderings as query parameters;
* every other route of the URL configuration whose view carries ``ion_permission`` (the
  plain views of the plugin and pipeline apps, custom resource routes) or a shape declaration is
  documented from its URL pattern. Shapes (methods, body, responses) come from a view's
  ``openapi`` attribute or from the ``api/shapes.py`` SHAPES registry of the view's app, keyed by
  URL name (see plugin/api/shapes.py); an undeclared route still appears, with open shapes.

Security: ``ApiKey`` (``Authorization: ApiKey <username>:<key>``) and HTTP Basic; operations
open to anonymous callers (root, schemas, version, software info, this document) list the
empty requirement too. :func:`document` builds once per process (the routes are fixed at start).
"""
import collections
import functools
import importlib
import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from tastypie import fields as tp

from .base import IonResource
from .fields import BigIntegerStringField, JSONField

PREFIX = "/rundb/api/v1/"
ERROR_CODES = {
    "400": "Bad request: malformed JSON, invalid filter / ordering / paging value, validation errors.",
    "401": "Authentication required or credentials wrong.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such object.",
    "405": "Method not allowed here (the Allow header lists the allowed ones).",
}
WRITE_ERROR_CODES = {
    "409": "Conflicts with existing data (unique value, or rows still referenced).",
}
TASTYPIE_ROUTES = {"api_dispatch_list", "api_get_schema", "api_get_multiple", "api_dispatch_detail",
                   "api_v1_top_level"}
SCALAR = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "float": {"type": "number"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string"},
    "list": {"type": "array"},
    "dict": {"type": "object"},
    "file": {"type": "string"},
}
ANONYMOUS = [{}, {"ApiKey": []}, {"Basic": []}]
AUTHENTICATED = [{"ApiKey": []}, {"Basic": []}]


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema, null):
    if not null:
        return schema
    if "$ref" in schema or "anyOf" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]} if schema else schema
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": kinds + ["null"]}


def _json(schema, description="JSON"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(extra=(), write=False):
    codes = dict(ERROR_CODES)
    if write:
        codes.update(WRITE_ERROR_CODES)
    out = {}
    for code, text in codes.items():
        # 401 carries the Basic challenge and no JSON body.
        out[code] = {"description": text} if code == "401" else _json(_ref("Error"), text)
    for code in extra:
        out[str(code)] = _json(_ref("Error"), "Error.")
    return out


# What the operation builders of one resource share.
_Doc = collections.namedtuple("_Doc", "name comp tag ard write_new write_any")


class Builder:
    def __init__(self, api):
        self.api = api
        self.schemas = {
            "Error": {
                "type": "object",
                "description": "Every error body: {\"error\": message or {field: [messages]}}.",
                "properties": {"error": {}, "error_message": {"type": "string"}},
            },
            "ListMeta": {
                "type": "object",
                "required": ["limit", "offset", "total_count"],
                "properties": {
                    "limit": {"type": "integer"}, "offset": {"type": "integer"},
                    "total_count": {"type": "integer"},
                    "next": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]},
                },
            },
            "ResourceSchema": {
                "type": "object",
                "description": "Tastypie's description of a resource (GET <name>/schema/).",
                "required": ["fields"],
                "properties": {
                    "allowed_list_http_methods": {"type": "array", "items": {"type": "string"}},
                    "allowed_detail_http_methods": {"type": "array", "items": {"type": "string"}},
                    "default_format": {"type": "string"}, "default_limit": {"type": "integer"},
                    "filtering": {"type": "object"}, "ordering": {"type": "array", "items": {"type": "string"}},
                    "fields": {"type": "object", "additionalProperties": {"type": "object"}},
                },
            },
            "ApiRoot": {
                "type": "object",
                "description": "Every resource by name, plus the entry 'openapi' (this document and its page).",
                "additionalProperties": {
                    "type": "object", "required": ["list_endpoint", "schema"],
                    "properties": {"list_endpoint": {"type": "string"}, "schema": {"type": "string"},
                                   "docs": {"type": "string"}},
                },
            },
        }
        self.paths = {}
        self._components = {}

    # ------------------------------------------------------------- field schemas

    def component(self, res):
        """Name of the read schema of ``res`` (built on first use, with what it nests)."""
        name = type(res).__name__
        if name not in self._components:
            self._components[name] = True
            self.schemas[name] = self._object_schema(res)
        return name

    def _object_schema(self, res):
        props, required = {}, []
        conditional = type(res).include_field is not IonResource.include_field
        for fname, field in res.fields.items():
            props[fname] = self.field_schema(res, fname, field)
            if field.use_in == "all" and not conditional:
                required.append(fname)
        doc = (type(res).__doc__ or "").strip()
        schema = {"type": "object", "properties": props, "required": required}
        if doc:
            schema["description"] = " ".join(doc.split())
        return schema

    def field_schema(self, res, fname, field, write=False):
        if fname == "resource_uri":
            return {"type": "string", "readOnly": True}
        help_text = str(field.help_text or "")
        if isinstance(field, tp.RelatedField):
            target = _resource_of(field)
            if write:
                one = {"anyOf": [{"type": "string", "description": "URI of the related object, or its id"},
                                 {"type": "integer"}, {"type": "object"}]}
            elif field.full and target is not None:
                one = {"anyOf": [{"type": "string"}, _ref(self.component(target))]}
            else:
                one = {"type": "string", "description": "URI of the related object"}
            schema = {"type": "array", "items": one} if isinstance(field, tp.ToManyField) else one
        elif isinstance(field, JSONField):
            schema = {"dict": {"type": "object"}, "list": {"type": "array"}}.get(field.kind, {})
        elif isinstance(field, BigIntegerStringField):
            schema = {"type": "string", "pattern": "^-?[0-9]+$"}
        else:
            schema = dict(SCALAR.get(getattr(field, "served_type", None) or field.dehydrated_type, {}))
        schema = _nullable(schema, field.null)
        if help_text:
            schema = {**schema, "description": help_text}
        if field.readonly and not write:
            schema = {**schema, "readOnly": True}
        return schema

    def write_schema(self, res, creating):
        props = {}
        for fname, field in res.fields.items():
            if fname == "resource_uri" or field.readonly:
                continue
            if field.attribute is None and not hasattr(res, f"hydrate_{fname}"):
                continue
            props[fname] = self.field_schema(res, fname, field, write=True)
        schema = {"type": "object", "properties": props,
                  "description": "Keys that are not fields are ignored."}
        if creating:
            required = [f for f in res.required_fields() if f in props]
            if required:
                schema["required"] = required
        return schema

    # ---------------------------------------------------------------- resources

    def add_resource(self, name, res):
        if not isinstance(res, IonResource):
            return self._add_action_resource(name, res)
        meta = res._meta
        r = _Doc(name=name, comp=self.component(res), tag=[name], ard=meta.always_return_data,
                 write_new=self.write_schema(res, creating=True), write_any=self.write_schema(res, creating=False))
        base = f"{PREFIX}{name}/"
        # One builder per allowed method (_list_get, _detail_put, ...), in the order Tastypie lists them.
        ops = {m: getattr(self, f"_list_{m}")(res, r) for m in ("get", "post", "put", "patch", "delete")
               if m in set(meta.list_allowed_methods or [])}
        if ops:
            self.paths[base] = ops
        detail_methods = set(meta.detail_allowed_methods or [])
        ops = {m: getattr(self, f"_detail_{m}")(r) for m in ("get", "put", "patch", "delete") if m in detail_methods}
        if ops:
            self.paths[f"{base}{{pk}}/"] = {"parameters": [self._pk_param(res)], **ops}
            if "get" in detail_methods:
                self.paths[f"{base}set/{{pk_list}}/"] = {"get": self._set_get(r)}
        self._add_schema_path(name, r.tag)

    def _list_get(self, res, r):
        return {
            "summary": f"List {r.name}", "operationId": f"{r.name}_list", "tags": r.tag,
            "parameters": self._list_params(res),
            "responses": {"200": _json({"type": "object", "required": ["meta", "objects"], "properties": {
                "meta": _ref("ListMeta"), "objects": {"type": "array", "items": _ref(r.comp)}}}),
                **_errors()},
        }

    def _list_post(self, res, r):
        created = getattr(res, "openapi_created", None)
        ok = _json(created or _ref(r.comp), "Created") if (created or r.ard) else {"description": "Created"}
        ok["headers"] = {"Location": {"schema": {"type": "string"}, "description": "URL of the new object"}}
        return {
            "summary": f"Create a {r.name}", "operationId": f"{r.name}_create", "tags": r.tag,
            "requestBody": {"required": True, "content": {"application/json": {"schema": r.write_new}}},
            "responses": {"201": ok, **_errors(write=True)},
        }

    def _list_put(self, res, r):
        return {
            "summary": f"Replace the {r.name} rows the filters select",
            "description": "Deletes every row matching the query's filters, then creates the body's "
                           "objects (one transaction). Needs the add and delete permissions.",
            "operationId": f"{r.name}_replace_list", "tags": r.tag,
            "parameters": self._filter_params(res),
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["objects"],
                "properties": {"objects": {"type": "array", "items": r.write_new}}}}}},
            "responses": {
                **({"200": _json({"type": "object", "properties": {
                    "objects": {"type": "array", "items": _ref(r.comp)}}})} if r.ard
                   else {"204": {"description": "Replaced"}}),
                **_errors(write=True)},
        }

    def _list_patch(self, res, r):
        item = {**r.write_any, "properties": {**r.write_any["properties"], "resource_uri": {"type": "string"}}}
        return {
            "summary": f"Create, update and delete several {r.name} rows",
            "description": "Items with a resource_uri update that row (or create it), others are "
                           "created; deleted_objects are URIs to delete. One transaction.",
            "operationId": f"{r.name}_bulk", "tags": r.tag,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["objects"],
                "properties": {"objects": {"type": "array", "items": item},
                               "deleted_objects": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": {
                "202": (_json({"type": "object", "properties": {
                    "objects": {"type": "array", "items": _ref(r.comp)}}}, "Accepted") if r.ard
                    else {"description": "Accepted"}),
                **_errors(write=True)},
        }

    def _list_delete(self, res, r):
        return {
            "summary": f"Delete the {r.name} rows the filters select",
            "description": "Without filters every row is deleted. Needs the delete permission.",
            "operationId": f"{r.name}_delete_list", "tags": r.tag,
            "parameters": self._filter_params(res),
            "responses": {"204": {"description": "Deleted"}, **_errors(write=True)},
        }

    def _detail_get(self, r):
        return {"summary": f"One {r.name}", "operationId": f"{r.name}_detail", "tags": r.tag,
                "responses": {"200": _json(_ref(r.comp)), **_errors()}}

    def _detail_put(self, r):
        responses = {"200": _json(_ref(r.comp))} if r.ard else {"204": {"description": "Updated"}}
        responses["201"] = _json(_ref(r.comp), "Created") if r.ard else {"description": "Created"}
        return {"summary": f"Update a {r.name} (keys absent from the body keep their value)",
                "operationId": f"{r.name}_update", "tags": r.tag,
                "requestBody": {"required": True, "content": {"application/json": {"schema": r.write_any}}},
                "responses": {**responses, **_errors(write=True)}}

    def _detail_patch(self, r):
        return {"summary": f"Change some fields of a {r.name}", "operationId": f"{r.name}_patch", "tags": r.tag,
                "requestBody": {"required": True, "content": {"application/json": {"schema": r.write_any}}},
                "responses": {"202": _json(_ref(r.comp), "Accepted") if r.ard else {"description": "Accepted"},
                              **_errors(write=True)}}

    def _detail_delete(self, r):
        return {"summary": f"Delete a {r.name}", "operationId": f"{r.name}_delete", "tags": r.tag,
                "responses": {"204": {"description": "Deleted"}, **_errors(write=True)}}

    def _set_get(self, r):
        return {
            "summary": f"Several {r.name} rows by id", "operationId": f"{r.name}_set", "tags": r.tag,
            "parameters": [{"name": "pk_list", "in": "path", "required": True, "description": "Ids separated by ';'",
                            "schema": {"type": "string", "pattern": "^[0-9;]+$"}}],
            "responses": {"200": _json({"type": "object", "required": ["objects"], "properties": {
                "objects": {"type": "array", "items": _ref(r.comp)},
                "not_found": {"type": "array", "items": {"type": "string"}}}}), **_errors()},
        }

    def _add_schema_path(self, name, tag):
        self.paths[f"{PREFIX}{name}/schema/"] = {"get": {
            "summary": f"Fields, filters and methods of {name}", "operationId": f"{name}_schema", "tags": tag,
            "security": ANONYMOUS, "responses": {"200": _json(_ref("ResourceSchema")), **_errors()},
        }}

    def _add_action_resource(self, name, res):
        exact = getattr(res, "openapi_fields", {})  # where the schema/ type says less than the value
        props = {key: exact.get(key) or _nullable(dict(SCALAR.get(info.get("type"), {})), info.get("nullable", False))
                 for key, info in res.fields_schema.items()}
        self.schemas[type(res).__name__] = {"type": "object", "properties": props}
        self._add_schema_path(name, [name])
        if "get" not in (res._meta.list_allowed_methods or ()):
            return  # e.g. prepopulatedplanningsession (POST): its own route declares its shapes
        self.paths[f"{PREFIX}{name}/"] = {"get": {
            "summary": (type(res).__doc__ or name).strip().splitlines()[0], "operationId": f"{name}_get",
            "tags": [name], "security": ANONYMOUS if getattr(res, "anonymous", False) else AUTHENTICATED,
            "responses": {"200": _json(_ref(type(res).__name__)), **_errors()},
        }}

    def _pk_param(self, res):
        pk = res.model._meta.pk
        if pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField"):
            schema = {"type": "integer", "minimum": 1, "maximum": 2147483647}
        else:
            schema = {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}
        return {"name": "pk", "in": "path", "required": True, "schema": schema}

    def _filter_params(self, res):
        params = []
        for fname, field in res.fields.items():
            if fname == "resource_uri" or isinstance(field, tp.ToManyField) or not res.filter_rule(fname):
                continue
            if isinstance(field, tp.ToOneField):
                schema = {"type": "string", "description": "Primary key of the related object"}
            elif isinstance(field, (tp.IntegerField,)) and not isinstance(field, BigIntegerStringField):
                schema = {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}
            elif isinstance(field, tp.BooleanField):
                schema = {"type": "boolean"}
            else:
                schema = {"type": "string"}
            params.append({"name": fname, "in": "query", "required": False, "schema": schema,
                           "description": f"Filter: {fname} equals the value; also {fname}__<lookup> "
                                          "(iexact, contains, in, gt, lt, isnull, ...)."})
        return params

    def _list_params(self, res):
        orderable = [n for n in res.fields if n != "resource_uri" and res.is_orderable(n)]
        params = [
            {"name": "limit", "in": "query", "required": False,
             "description": f"Page size (default {res._meta.limit}; 0 or more than {res._meta.max_limit} "
                            f"means {res._meta.max_limit}).",
             "schema": {"type": "integer", "minimum": 0, "maximum": 1000000}},
            {"name": "offset", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647}},
        ]
        if orderable:
            params.append({"name": "order_by", "in": "query", "required": False,
                           "description": "Field to order by; '-' prefix for descending. Repeatable.",
                           "schema": {"type": "string", "enum": orderable + [f"-{n}" for n in orderable]}})
        return params + self._filter_params(res)

    # -------------------------------------------------------------- plain views

    def add_route(self, path, params, view, url_name):
        shapes = getattr(view, "openapi", None) or _app_shapes(view).get(url_name) or {}
        permission = getattr(view, "ion_permission", None) or shapes.get("permission") or "authenticated"
        methods = shapes.get("methods")
        if methods is None:
            allowed = getattr(view, "ion_methods", None) or ("GET",)
            methods = {m.lower(): {} for m in allowed}
        ops = {}
        for method, spec in methods.items():
            op = {
                "summary": spec.get("summary") or (view.__doc__ or url_name or path).strip().splitlines()[0],
                "operationId": f"{url_name or path}_{method}".replace("-", "_").replace("/", "_"),
                "tags": [spec.get("tag") or _tag_of(path)],
                "security": ANONYMOUS if permission == "anonymous" else AUTHENTICATED,
                "x-ion-permission": permission,
            }
            if spec.get("description"):
                op["description"] = spec["description"]
            if spec.get("query"):
                op["parameters"] = [{"name": k, "in": "query", "required": False, "schema": v}
                                    for k, v in spec["query"].items()]
            if "body" in spec:
                op["requestBody"] = {"required": spec.get("body_required", False),
                                     "content": {spec.get("body_type", "application/json"): {"schema": spec["body"]}}}
            responses = {}
            for code, shape in (spec.get("responses") or {}).items():
                if isinstance(shape, dict) and "content" in shape:
                    responses[str(code)] = shape
                elif shape is None:
                    responses[str(code)] = {"description": "No body"}
                else:
                    responses[str(code)] = _json(shape, "OK")
            if not responses:
                responses["default"] = {"description": "Any response (shapes not declared)",
                                        "content": {"application/json": {"schema": {}}}}
            op["responses"] = {**_errors(spec.get("errors", ()), write=method != "get"), **responses}
            if permission == "anonymous":
                op["responses"].pop("401", None)
            ops[method] = op
        entry = self.paths.setdefault(path, {})
        if params:
            entry["parameters"] = params
        entry.update(ops)

    def document(self):
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Torrent Server REST API v1",
                "version": getattr(settings, "ION_VERSION", "0"),
                "description": "Tastypie-style resources under /rundb/api/v1/ and the action endpoints "
                               "beside them. Lists page with limit/offset; filters are ?field=value and "
                               "?field__lookup=value; errors are JSON {\"error\": ...}. Generated from "
                               "the running code.",
            },
            "servers": [{"url": "/"}],
            "paths": dict(sorted(self.paths.items())),
            "components": {
                "schemas": dict(sorted(self.schemas.items())),
                "securitySchemes": {
                    "ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                               "description": "Authorization: ApiKey <username>:<key>"},
                    "Basic": {"type": "http", "scheme": "basic"},
                },
            },
            "security": AUTHENTICATED,
        }


def _resource_of(field):
    try:
        from .base import resource_instance

        return resource_instance(field.to_class)
    except Exception:
        return None


def _tag_of(path):
    parts = [p for p in path[len(PREFIX):].split("/") if p] if path.startswith(PREFIX) else []
    return parts[0] if parts else "other"


@functools.lru_cache(maxsize=None)
def _shapes_module(package):
    try:
        return getattr(importlib.import_module(f"{package}.api.shapes"), "SHAPES", {})
    except ImportError:
        return {}


def _app_shapes(view):
    module = getattr(view, "__module__", "") or ""
    return _shapes_module(module.split(".")[0]) if module else {}


# ------------------------------------------------------------ URL conf walking

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()\\]|\\.)*)\)")
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _regex_to_path(regex):
    params = []

    def group(match):
        body = match.group("body")
        if re.fullmatch(r"[\w.-]+", body):  # a fixed name (api_name, resource_name)
            return body
        params.append((match.group("name"), "string"))
        return "{" + match.group("name") + "}"

    text = _GROUP.sub(group, regex.replace("^", "").replace("$", ""))
    text = text.replace("/?", "/").replace("\\.", ".").replace("\\-", "-")
    return text, params


def _route_to_path(route):
    params = []

    def conv(match):
        params.append((match.group("name"), {"int": "integer", "path": "path"}.get(match.group("conv"), "string")))
        return "{" + match.group("name") + "}"

    return _CONVERTER.sub(conv, route), params


def iter_routes(resolver=None, prefix=""):
    """(path, [(param, type)], view, url name) of every URL pattern, includes flattened."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        raw = pattern.pattern
        route = getattr(raw, "_route", None)
        text, params = _route_to_path(route) if route is not None else _regex_to_path(raw.regex.pattern)
        if isinstance(pattern, URLResolver):
            for path, more, view, name in iter_routes(pattern, prefix + text):
                yield path, params + more, view, name
        elif isinstance(pattern, URLPattern):
            yield prefix + text, params, pattern.callback, pattern.name


def build(api=None):
    from .api import v1_api

    api = api or v1_api
    builder = Builder(api)
    builder.paths[PREFIX] = {"get": {
        "summary": "The API root: every resource with its list and schema URLs", "operationId": "api_root",
        "tags": ["api"], "security": ANONYMOUS, "responses": {"200": _json(_ref("ApiRoot")), **_errors()},
    }}
    for name, res in sorted(api._registry.items()):
        builder.add_resource(name, res)
    for path, params, view, name in iter_routes():
        path = "/" + path.lstrip("/")
        if not path.startswith(PREFIX) and not (getattr(view, "openapi", None) or _app_shapes(view).get(name)):
            continue  # outside the API (admin, the web pages) and not declared
        if name in TASTYPIE_ROUTES:
            continue  # built above from the registry
        if not (hasattr(view, "ion_permission") or getattr(view, "openapi", None) or _app_shapes(view).get(name)
                or path.startswith(PREFIX)):
            continue
        kinds = {"integer": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                 "path": {"type": "string", "pattern": "^[^/.][^/]*(/[^/.][^/]*)*$"},
                 "string": {"type": "string", "pattern": "^[^/.][^/]*$"}}
        declared = [(n, kinds[t]) for n, t in params]
        param_list = [{"name": n, "in": "path", "required": True, "schema": s} for n, s in declared]
        builder.add_route(path, param_list, view, name)
    return builder.document()


@functools.lru_cache(maxsize=1)
def document():
    return build()
