"""The shared behaviour of every ``/rundb/api/v1/`` resource.

``IonResource`` keeps tastypie's URL layout, dispatch, schema and write flow, and replaces:

* **dehydration**: a compiled, batched engine (``IonResource.dehydrate_objects``).
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

Layout (one concern per module; ``IonResource`` in resource.py mixes them into tastypie's
``ModelResource``)
    responses.py   JSON responses, the request checks (format, body size, NUL), exception -> response
    meta.py        IonMeta / ReadOnlyMeta defaults; resource_instance (one shared instance per class)
    fieldrules.py  API field types, secret / filterable / orderable fields, ``schema/``
    uris.py        routes, resource URIs, primary keys from URIs
    dispatch.py    view wrapper (checks, one transaction per write, errors), allowed methods
    reads.py       list (filters, ordering, paging), detail, ``set/``
    dehydrate.py   compiled steps and the per-row dehydration of a page
    loaders.py     batch loads of related values for a page (one query per relation)
    fastrows.py    light model instances for list pages (no per-row ``Model.__init__``)
    hydrate.py     body -> row (identity checks, related lookups, required fields)
    bodyvalues.py  what a JSON value may be, and becomes, for one field
    writes.py      POST / PUT / PATCH / DELETE of rows and lists

Every name other modules use is re-exported here, so ``from rundb.api.base import X`` is the
one import path for resources, routes and tests.
"""
from ..fields import BigIntegerStringField, ComputedField, JSONField
from .meta import IonMeta, ReadOnlyMeta, resource_instance
from .resource import IonResource
from .responses import CANNED_500, check_format, error_response, json_response

__all__ = [
    "IonResource", "IonMeta", "ReadOnlyMeta", "ComputedField", "JSONField", "BigIntegerStringField",
    "json_response", "error_response", "check_format", "resource_instance", "CANNED_500",
]
