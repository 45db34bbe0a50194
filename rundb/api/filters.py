"""Query-string filters and ``order_by`` for list requests.

``?field=value``, ``?field__<qualifier>=value`` and ``?relation__field__<qualifier>=value``.
Every hop is checked against the *resource* fields (not the model), so a filter can only
reach what the API would show anyway: no ``owner__password__startswith`` oracle, and secret
fields (``IonResource.is_secret``: keys, passwords, tokens) are refused at every hop.

* Unknown first names are ignored (``api_key``, ``format``, ``limit`` ... pass through).
* A known field that may not be filtered / ordered gives 400 with the original's messages.
* ``search`` is case-insensitive containment (Django dropped the ``__search`` lookup).
* Values: ``true``/``false`` -> booleans, ``none``/``null``/``nil`` -> null; ``in`` and
  ``range`` split on commas and merge repeated parameters.
"""
import re

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup, ManyToManyField, ManyToManyRel, ManyToOneRel
from tastypie.constants import ALL, ALL_WITH_RELATIONS
from tastypie.exceptions import InvalidFilterError, InvalidSortError
from tastypie.fields import RelatedField, ToManyField

LOOKUPS = {
    "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith",
    "istartswith", "endswith", "iendswith", "range", "year", "month", "day", "week_day", "hour",
    "minute", "second", "isnull", "search", "regex", "iregex", "date", "week", "quarter",
    "iso_year", "iso_week_day",
}
# Transforms that may be followed by a comparison (``date__year__gte=2020``).
TRANSFORMS = {"year", "month", "day", "week_day", "hour", "minute", "second", "date", "week",
              "quarter", "iso_year", "iso_week_day"}
COMPARISONS = {"exact", "gt", "gte", "lt", "lte", "in", "range", "isnull"}
RELATED_LOOKUPS = {"exact", "in", "isnull", "gt", "gte", "lt", "lte", "range"}

TRUE_WORDS = {"true", "True", "TRUE"}
FALSE_WORDS = {"false", "False", "FALSE"}
NULL_WORDS = {"none", "None", "NONE", "nil", "null", "Null", "NULL"}
# Request parameters with another meaning (paging, format, credentials). On a resource where a
# field has the same name but is not filterable (e.g. account.username) they are not filters.
RESERVED = {"format", "limit", "offset", "order_by", "sort_by", "callback", "api_key", "username",
            "pluginresult"}


def _python_value(value):
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    if value in NULL_WORDS:
        return None
    return value


def _is_to_many(field):
    return isinstance(field, ToManyField)


def _walk(resource, bits, for_ordering=False):
    """Follow ``bits`` through resources. Returns (orm_path, leaf_field, rest_bits, crosses_many)."""
    path = []
    crosses_many = False
    current = resource
    i = 0
    while True:
        name = bits[i]
        field = current.fields.get(name)
        if field is None or name == "resource_uri":
            if for_ordering:
                raise InvalidSortError(f"No matching '{name}' field for ordering on.")
            raise InvalidFilterError(f"The '{name}' field does not allow filtering.")
        if current.is_secret(name):
            # Keys, passwords, tokens: a prefix filter or an ordering would reveal them bit by bit.
            if for_ordering:
                raise InvalidSortError(f"The '{name}' field does not allow ordering.")
            raise InvalidFilterError(f"The '{name}' field does not allow filtering.")
        if for_ordering:
            if field.attribute is None:
                raise InvalidSortError(f"The '{name}' field has no 'attribute' for ordering with.")
            if not current.is_orderable(name):
                raise InvalidSortError(f"The '{name}' field does not allow ordering.")
            rule = ALL_WITH_RELATIONS
        else:
            rule = current.filter_rule(name)
            if rule is None or field.attribute is None:
                raise InvalidFilterError(f"The '{name}' field does not allow filtering.")
        path.append(field.attribute)
        rest = bits[i + 1:]
        is_related = isinstance(field, RelatedField)
        if is_related and _is_to_many(field):
            crosses_many = True
        if is_related and rest and (rest[0] not in LOOKUPS or for_ordering):
            if rule != ALL_WITH_RELATIONS:
                raise InvalidFilterError(
                    f"Lookups are not allowed more than one level deep on the '{name}' field."
                )
            current = current.related_resource(name)
            i += 1
            continue
        return path, field, rest, crosses_many, current, name, rule


def build_filters(resource, query):
    """Returns (Q-kwargs dict, needs_distinct). ``query`` is a QueryDict."""
    filters = {}
    distinct = False
    for key in query.keys():
        bits = key.split("__")
        if bits[0] not in resource.fields or bits[0] == "resource_uri":
            continue  # not a field of this resource: ignored (auth params, format, ...)
        if resource.ignores_filter(bits[0]):
            continue
        if key in RESERVED and resource.filter_rule(bits[0]) is None:
            continue
        path, field, rest, crosses_many, leaf_res, leaf_name, rule = _walk(resource, bits)
        is_related = isinstance(field, RelatedField)
        if not rest:
            lookup = ["exact"]
        elif len(rest) == 1 and rest[0] in LOOKUPS:
            lookup = [rest[0]]
        elif len(rest) == 2 and rest[0] in TRANSFORMS and rest[1] in COMPARISONS:
            lookup = rest
        else:
            raise InvalidFilterError(f"The '{leaf_name}' field does not support relations.")
        if is_related and lookup[0] not in RELATED_LOOKUPS:
            raise InvalidFilterError(
                f"'{lookup[0]}' is not an allowed filter on the '{leaf_name}' field; "
                "filter on a field of the related resource instead."
            )
        if rule not in (ALL, ALL_WITH_RELATIONS) and lookup[-1] not in rule:
            raise InvalidFilterError(f"'{lookup[-1]}' is not an allowed filter on the '{leaf_name}' field.")
        if is_related and lookup[0] == "exact" and not rest:
            path = path + ["pk"]  # ?experiment=3 means the related primary key
        value = _filter_value(query, key, lookup[-1])
        op = lookup[-1]
        if op == "search":
            op = "icontains"
            lookup = lookup[:-1] + [op]
        if op in ("regex", "iregex"):
            try:
                re.compile(value)
            except re.error as exc:
                raise InvalidFilterError(f"Invalid regular expression for '{key}': {exc}")
        filters["__".join(path + lookup)] = value
        distinct = distinct or crosses_many
    return filters, distinct


def _filter_value(query, key, op):
    if op in ("in", "range"):
        parts = []
        for raw in query.getlist(key):
            parts.extend(p for p in raw.split(",") if p != "")
        if op == "range" and len(parts) != 2:
            raise InvalidFilterError(f"The '{key}' filter needs two comma-separated values (low,high).")
        return [_python_value(p) for p in parts]
    raw = query.get(key)
    value = _python_value(raw)
    if op == "isnull":
        if value not in (True, False):
            if raw in ("1", "0"):
                return raw == "1"
            raise InvalidFilterError(f"The '{key}' filter takes true or false, not '{raw}'.")
    return value


def build_ordering(resource, query):
    """``order_by`` (or the deprecated ``sort_by``), repeatable; returns ORM order_by args."""
    name = "order_by" if "order_by" in query else ("sort_by" if "sort_by" in query else None)
    if name is None:
        return []
    args = []
    for raw in query.getlist(name):
        for item in raw.split(","):
            item = item.strip()
            if not item:
                continue
            desc = item.startswith("-")
            bits = item.lstrip("-").split("__")
            path, field, rest, crosses_many, _, leaf_name, _ = _walk(resource, bits, for_ordering=True)
            if rest:
                raise InvalidSortError(f"The '{leaf_name}' field does not support relations.")
            if _is_to_many(field):
                raise InvalidSortError(f"The '{leaf_name}' field does not allow ordering.")
            if isinstance(field, RelatedField):
                path = path + ["pk"]
            args.append(("-" if desc else "") + "__".join(path))
    return args


def model_relation(model, attribute):
    """The Django relation object behind a to-many resource attribute."""
    try:
        return model._meta.get_field(attribute)
    except Exception:
        if attribute.endswith("_set"):
            return model._meta.get_field(attribute[: -len("_set")])
        raise


def related_pairs_query(model, attribute, ids):
    """(owner_pk, related_pk) pairs for a to-many relation, for many owners in one query."""
    rel = model_relation(model, attribute)
    if isinstance(rel, ManyToOneRel):  # reverse FK, e.g. Results.libmetrics
        related = rel.related_model
        fk = rel.field
        qs = related._default_manager.filter(**{f"{fk.name}__in": ids})
        if not related._meta.ordering:
            qs = qs.order_by("pk")
        return qs.values_list(fk.attname, "pk")
    if isinstance(rel, ManyToManyField):
        through = rel.remote_field.through
        src, dst = rel.m2m_field_name(), rel.m2m_reverse_field_name()
        return through._default_manager.filter(**{f"{src}_id__in": ids}).order_by("pk").values_list(
            f"{src}_id", f"{dst}_id"
        )
    if isinstance(rel, ManyToManyRel):
        fwd = rel.field
        through = fwd.remote_field.through
        src, dst = fwd.m2m_reverse_field_name(), fwd.m2m_field_name()
        return through._default_manager.filter(**{f"{src}_id__in": ids}).order_by("pk").values_list(
            f"{src}_id", f"{dst}_id"
        )
    raise TypeError(f"{model.__name__}.{attribute} is not a to-many relation")


_PAIR_SQL = {}
UNION_CHUNK = 1000  # = max_limit, so a page never needs two queries


def pair_sql_parts(model, attribute):
    """(table, owner column, related column, sort column, descending) for a to-many relation
    whose default order is by primary key, or None (then the ORM path is used)."""
    key = (model, attribute)
    if key in _PAIR_SQL:
        return _PAIR_SQL[key]
    parts = None
    try:
        rel = model_relation(model, attribute)
    except Exception:
        rel = None
    if isinstance(rel, ManyToOneRel):
        related = rel.related_model
        ordering = list(related._meta.ordering)
        pk = related._meta.pk
        by_pk = ordering in ([], ["pk"], ["-pk"]) or (ordering in (["id"], ["-id"]) and pk.name == "id")
        if by_pk:
            desc = bool(ordering) and ordering[0].startswith("-")
            parts = (related._meta.db_table, rel.field.column, pk.column, pk.column, desc)
    elif isinstance(rel, (ManyToManyField, ManyToManyRel)):
        fwd = rel if isinstance(rel, ManyToManyField) else rel.field
        through = fwd.remote_field.through
        src, dst = fwd.m2m_field_name(), fwd.m2m_reverse_field_name()
        if isinstance(rel, ManyToManyRel):
            src, dst = dst, src
        parts = (through._meta.db_table, through._meta.get_field(src).column, through._meta.get_field(dst).column,
                 through._meta.pk.column, False)
    _PAIR_SQL[key] = parts
    return parts


def pairs_union(model, attributes, ids):
    """Rows (relation index, owner pk, related pk, sort key) for several relations at once."""
    from django.db import connections

    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    rows = []
    for start in range(0, len(ids), UNION_CHUNK):
        chunk = list(ids[start:start + UNION_CHUNK])
        marks = ", ".join(["%s"] * len(chunk))
        selects, params = [], []
        for index, attribute in enumerate(attributes):
            table, owner, related, sort, _ = pair_sql_parts(model, attribute)
            selects.append(
                f"SELECT {index} AS k, {quote(owner)} AS o, {quote(related)} AS r, {quote(sort)} AS s "
                f"FROM {quote(table)} WHERE {quote(owner)} IN ({marks})"
            )
            params.extend(chunk)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            rows.extend(cursor.fetchall())
    return rows


class KeysIn(Lookup):
    """``column IN keys`` for keys just read from the database. Django's ``__in`` prepares
    every value one by one, which dominated the loading of nested lists (10000 report ids);
    these need no preparation, and PostgreSQL takes them as one array parameter."""

    lookup_name = "keys_in"  # used as an expression, never registered on a field
    prepare_rhs = False

    def get_prep_lookup(self):
        return [key for key in dict.fromkeys(self.rhs) if key is not None]

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        if not self.rhs:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]


def keys_in(attname, keys):
    """A filter expression: column ``attname`` is one of ``keys`` (see :class:`KeysIn`)."""
    return KeysIn(F(attname), keys)


def related_objects(model, attribute, ids, queryset=None, fetch=list):
    """{owner_pk: [related objects]} for many owners, in one query (read by ``fetch``)."""
    rel = model_relation(model, attribute)
    grouped = {pk: [] for pk in ids}
    if isinstance(rel, ManyToOneRel):
        qs = queryset if queryset is not None else rel.related_model._default_manager.all()
        attname = rel.field.attname
        qs = qs.filter(keys_in(attname, ids))
        if not qs.ordered:
            qs = qs.order_by("pk")
        for obj in fetch(qs):
            grouped.setdefault(getattr(obj, attname), []).append(obj)
        return grouped
    # M2M: one query on the through table, joined to the related rows.
    fwd = rel if isinstance(rel, ManyToManyField) else rel.field
    through = fwd.remote_field.through
    src, dst = fwd.m2m_field_name(), fwd.m2m_reverse_field_name()
    if isinstance(rel, ManyToManyRel):
        src, dst = dst, src
    src_att = through._meta.get_field(src).attname
    links = through._default_manager.filter(keys_in(src_att, ids)).select_related(dst).order_by("pk")
    for link in fetch(links):
        grouped.setdefault(getattr(link, src_att), []).append(getattr(link, dst))
    return grouped
