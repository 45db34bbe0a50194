"""Per-field rules of a resource: API field types for model fields, which fields are secret,
filterable and orderable, and the ``schema/`` document that states them."""
import datetime as dt
import re

from tastypie import fields as tp
from tastypie.constants import ALL_WITH_RELATIONS
from tastypie.fields import NOT_PROVIDED

from ..fields import BigIntegerStringField, json_field_class
from .meta import resource_instance

# Secrets (keys, passwords, tokens, their hashes) are never filterable or orderable, through
# any relation path, and dehydrate to null except for the resource's own rule (see
# FieldRulesMixin.is_secret / secret_visible). Matched on the field name and on its model
# attribute; ``Meta.secret_fields`` names more.
SECRET_NAME = re.compile(r"pass(word|wd|phrase)|api_?key|secret|token|(^|_)key_?hash|salt$", re.IGNORECASE)


class FieldRulesMixin:
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

    # ------------------------------------------------------------------ schema/

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
