"""Dehydration: rows to JSON-ready dicts, batched per page.

Each resource compiles its fields once into :class:`Step` s (a plain attribute, a relation
path, a foreign-key URI, a nested object, a computed ``dehydrate_<name>`` ...). A page of rows
is then dehydrated by loading every relation once for the whole page (loaders.py: one query
per relation, never per row) and filling each row's dict step by step, so the number of
queries of a list request does not depend on ``limit``.
"""
import operator

from django.db.models import ForeignKey, ManyToOneRel, OneToOneField, OneToOneRel
from tastypie import fields as tp
from tastypie.bundle import Bundle
from tastypie.resources import ModelResource

from .. import filters as flt
from ..fields import converter_for

# A full nested step downgraded to its URI form when the request does not want it full.
URI_FORM = {"many_full": "many", "one_full": "one_fk", "one_rev_full": "one_rev"}


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


class ColumnReader:
    """The plain-attribute steps of a resource, read from a row in one ``attrgetter`` call.
    Computed and related steps are filled after these (each still sees the earlier values),
    and responses are serialised with sorted keys, so the order of filling does not show."""

    __slots__ = ("names", "getter", "single", "converted")

    def __init__(self, steps):
        self.names = [s.name for s in steps]
        self.single = len(steps) == 1
        self.getter = operator.attrgetter(*[s.attr for s in steps]) if steps else None
        # (name, converter, the type the converter leaves as it is): e.g. an int column is
        # already an int, so conv_int need not run.
        self.converted = [(s.name, s.conv, getattr(s.conv, "native", None)) for s in steps if s.conv is not None]

    def read(self, obj):
        if self.getter is None:
            return {}
        values = self.getter(obj)
        data = dict(zip(self.names, (values,) if self.single else values))
        for name, conv, native in self.converted:
            value = data[name]
            if value is not None and type(value) is not native:
                data[name] = conv(value)
        return data


class DehydrateMixin:
    def full_dehydrate(self, bundle, for_list=False):
        bundle.data.update(self.dehydrate_objects([bundle.obj], bundle.request, for_list=for_list)[0])
        return bundle

    def include_field(self, name, page):
        """Per-request visibility beyond ``use_in`` (e.g. ``results.pluginState`` in lists)."""
        return True

    def prefetch_page(self, objs, page):
        """Hook: batch-load what computed fields need into ``page.extra``."""

    # ------------------------------------------------------------- compiling

    def steps(self):
        if self._steps is None:
            self._steps = self._compile()
        return self._steps

    def _compile(self):
        steps = []
        for name, field in self.fields.items():
            method = getattr(self, f"dehydrate_{name}", None)
            if name == "resource_uri":
                steps.append(Step(name, "uri", field))
            elif isinstance(field, tp.RelatedField):
                step = self._compile_related(name, field, method)
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

    def _compile_related(self, name, field, method):
        if method is not None:
            return Step(name, "method", field, method=method)
        try:
            rel = flt.model_relation(self.model, field.attribute) if field.attribute else None
        except Exception:
            rel = None
        if isinstance(field, tp.ToManyField):
            return Step(name, "many_full" if field.full else "many", field, attr=field.attribute, rel=rel)
        if isinstance(rel, (ForeignKey, OneToOneField)):
            kind = "one_full" if field.full else "one_fk"
            return Step(name, kind, field, attr=field.attribute, conv=rel.attname, rel=rel)
        if isinstance(rel, (OneToOneRel, ManyToOneRel)):
            return Step(name, "one_rev_full" if field.full else "one_rev", field, attr=field.attribute, rel=rel)
        return Step(name, "one_attr", field, attr=field.attribute)

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
            if step.kind in URI_FORM and not self._full_wanted(step.field, page):
                step = Step(step.name, URI_FORM[step.kind], step.field, attr=step.attr, conv=step.conv,
                            rel=step.rel, res=step.res)
            active.append(step)
        return active

    def _full_wanted(self, field, page):
        bundle = Bundle(request=page.request)
        return field.full_list(bundle) if page.for_list else field.full_detail(bundle)

    # ----------------------------------------------------------- dehydrating

    def dehydrate_objects(self, objs, request, for_list=True):
        page = Page(request, for_list)
        if not objs:
            return []
        steps = self._active_steps(page)
        self.load_page_values(steps, objs, page)  # loaders.py
        self.prefetch_page(objs, page)
        hook = self._has_dehydrate_hook()
        need_bundle = hook or any(s.kind == "method" for s in steps)
        columns = ColumnReader([s for s in steps if s.kind == "attr"])
        plan = self._row_plan([s for s in steps if s.kind != "attr"], page.values)
        fill = self._fill_row
        out = []
        for obj in objs:
            data = columns.read(obj)
            bundle = None
            if need_bundle:
                bundle = Bundle(obj=obj, request=request)
                bundle.data = data  # Bundle() would swap an empty dict for a new one
                bundle.page = page
            fill(obj, data, bundle, plan)
            if hook:
                data = self.dehydrate(bundle).data
            out.append(data)
        return out

    def _row_plan(self, steps, values):
        """(kind, name, attr, conv, extra) per step, in field order: the row loop reads tuples,
        and what is per-page (loaded values, the related resource's URI maker) is looked up once."""
        plan = []
        for step in steps:
            kind, extra = step.kind, None
            if kind == "uri":
                extra = self.uri_for_pk
            elif kind == "one_fk":
                extra = step.res.uri_for_pk
            elif kind == "method":
                extra = step.method
            elif kind == "one_full":
                extra = values[step.name]
            elif kind != "path":  # loaded per owner pk
                extra = values[step.name]
                kind = "many_by_pk" if kind in ("many", "many_full") else "one_by_pk"
            plan.append((kind, step.name, step.attr, step.conv, extra))
        return plan

    @staticmethod
    def _fill_row(obj, data, bundle, plan):
        pk = obj.pk
        for kind, name, attr, conv, extra in plan:
            if kind == "many_by_pk":
                found = extra.get(pk)
                data[name] = [] if found is None else found
            elif kind == "one_by_pk":
                data[name] = extra.get(pk)
            elif kind == "method":
                data[name] = extra(bundle)
            elif kind == "uri":
                data[name] = extra(pk)
            elif kind == "one_fk":
                fk = getattr(obj, conv)
                data[name] = None if fk is None else extra(fk)
            elif kind == "one_full":
                fk = getattr(obj, conv)
                data[name] = None if fk is None else extra.get(fk)
            else:  # path: a value across to-one relations
                value = obj
                for part in attr:
                    value = getattr(value, part, None)
                    if value is None:
                        break
                data[name] = value if value is None or conv is None else conv(value)

    def _has_dehydrate_hook(self):
        return type(self).dehydrate is not ModelResource.dehydrate
