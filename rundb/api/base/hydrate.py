"""Hydration: a write body onto a row. Only the keys present are applied (PUT and PATCH alike
keep absent fields); related fields take a URI, a primary key or ``{"id": ...}``; every field
error is collected into one 400 ``{"error": {field: [messages]}}``."""
from django.core.exceptions import ValidationError
from tastypie import fields as tp
from tastypie.exceptions import BadRequest

from .bodyvalues import hydrate_value, type_problem

IDENTITY_KEYS = ("id", "pk", "resource_uri")


class HydrateMixin:
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
            problem = type_problem(field, value)
            if problem:
                errors[name] = [problem]
            elif type(field) is tp.CharField and isinstance(value, (int, float)):  # bool too: "True"
                # The model would store str(value) anyway; resource code that looks the value up
                # before hydration (plan kit names ...) then never sends a number to a text query.
                data[name] = str(value)
        if errors:
            raise ValidationError(errors)

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
            try:
                self._apply_value(bundle, name, field, data[name])
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
        if bundle.obj._state.adding:
            for name in self.missing_required(bundle):
                errors.setdefault(name, []).append(
                    "This field is required: it has no data and allows neither a default nor null.")
        if errors:
            raise ValidationError(errors)
        return bundle

    def _apply_value(self, bundle, name, field, value):
        if isinstance(field, tp.ToManyField):
            bundle.m2m_pending[field.attribute] = self._resolve_many(name, value)
        elif isinstance(field, tp.ToOneField):
            setattr(bundle.obj, field.attribute, self._resolve_one(name, field, value))
        else:
            setattr(bundle.obj, field.attribute, hydrate_value(field, value))

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
        return self._related_row(res, pk)

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
            out.append(self._related_row(res, pk))
        return out

    @staticmethod
    def _related_row(res, pk):
        try:
            return res.model._default_manager.get(pk=pk)
        except (res.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise ValidationError(f"No {res._meta.resource_name} with id '{pk}'.")
