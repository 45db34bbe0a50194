"""Light model instances for the rows of a list page.

A nested list (``compositeexperiment?limit=1000``: 1000 runs, their 10000 reports, each
report's EAS, metrics and projects) builds tens of thousands of model instances, and
``Model.__init__`` (a descriptor ``setattr`` per column plus the ``pre_init`` / ``post_init``
signals) was the largest single cost of such a request (bench/api_list.py).
:func:`fetch` returns the same instances — same class, same attribute values, same
``select_related`` caches and annotations, ``_state`` not adding and bound to the database —
built by filling each instance's ``__dict__`` directly, as ``Model.__init__`` would have.

It does so only where that is provably the same thing: models without their own
``__init__``, without ``pre_init`` / ``post_init`` receivers and whose columns all use Django's
plain attribute descriptors, without multi-table-inheritance parents; querysets without
``prefetch_related``, known related objects or a name-less ``select_related()``. Anything else
is read the ordinary way (``list(queryset)``).
"""
import inspect

from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Descriptors whose __set__ (if any) only stores the value on a fresh instance.
PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_PLAIN = {}


def plain_model(model):
    """Whether ``Model.__init__`` of ``model`` would do nothing but store each column's value."""
    static = _PLAIN.get(model)
    if static is None:  # the class never changes; receivers may come and go
        static = _PLAIN[model] = (
            model.__init__ is Model.__init__ and not model._meta.parents  # no multi-table inheritance
            and all(type(inspect.getattr_static(model, f.attname, None)) in PLAIN_DESCRIPTORS
                    for f in model._meta.concrete_fields))
    return static and not pre_init.has_listeners(model) and not post_init.has_listeners(model)


def plain_tree(model, select_related):
    """Whether ``model`` and every model its ``select_related`` tree reaches are plain."""
    if select_related is True or not plain_model(model):
        return False  # select_related() without names: not worth working out
    for name, below in (select_related or {}).items():
        if not plain_tree(model._meta.get_field(name).related_model, below):
            return False
    return True


def fetch(queryset):
    """``list(queryset)``, with light instances where that is the same (see the module)."""
    if (not isinstance(queryset, QuerySet) or queryset._result_cache is not None
            or queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups or queryset._known_related_objects
            or not plain_tree(queryset.model, queryset.query.select_related)):
        return list(queryset)
    db = queryset.db
    compiler = queryset.query.get_compiler(using=db)
    results = compiler.execute_sql()
    if compiler.klass_info is None:
        return []  # nothing to select: an empty result
    build = _builder(compiler.klass_info, compiler.select, db)
    annotations = list(compiler.annotation_col_map.items())
    out = []
    for row in compiler.results_iter(results):
        obj = build(row)
        for name, pos in annotations:
            setattr(obj, name, row[pos])
        out.append(obj)
    return out


def _builder(klass_info, select, db):
    """A function row -> instance of ``klass_info["model"]`` with its select_related objects."""
    model = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [s[0].target.attname for s in select[start:end]]
    pk_index = names.index(model._meta.pk.attname)
    related = [(_builder(info, select, db), info["local_setter"], info["remote_setter"])
               for info in klass_info.get("related_klass_infos", [])]
    new = object.__new__

    def build(row):
        values = row[start:end]
        if values[pk_index] is None:
            return None  # a select_related row that is not there (LEFT JOIN)
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        attrs = obj.__dict__
        attrs["_state"] = state
        attrs.update(zip(names, values))
        for make, local_setter, remote_setter in related:
            rel_obj = make(row)
            local_setter(obj, rel_obj)
            if rel_obj is not None:
                remote_setter(rel_obj, obj)
        return obj

    return build
