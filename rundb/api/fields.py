"""API field types beyond tastypie's, and the value converters the fast dehydration uses."""
import datetime
import json
import math

from tastypie import fields as tp

UTC = datetime.timezone.utc


class JSONField(tp.ApiField):
    """A JSON model column, emitted as the nested value it holds (never as JSON text).

    ``kind`` is the JSON type the column holds ("dict", "list" or None for any): writes of
    another type are refused (400) instead of being stored. ``schema/`` types these columns
    "string", as the SDK reference does (the original kept them as JSON text), unless a
    resource declares the field with another ``dehydrated_type`` (e.g. plan ``chefInfo``).
    """

    dehydrated_type = "string"
    kind = None
    help_text = "A JSON value, sent and returned as nested JSON (not as text)."

    def __init__(self, *args, kind=None, dehydrated_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None:
            self.kind = kind
        if dehydrated_type is not None:
            self.dehydrated_type = dehydrated_type

    def convert(self, value):
        return value

    def clean_input(self, value):
        """The stored value for request data ``value`` (not None); ValueError when of the wrong type.

        JSON text holding the right type is accepted too: older clients send these columns as text.
        """
        if self.kind is None:
            return value
        expected = dict if self.kind == "dict" else list
        if isinstance(value, str):
            try:
                parsed = json.loads(value) if value.strip() else expected()
            except ValueError:
                parsed = None
            if isinstance(parsed, expected):
                return parsed
        elif isinstance(value, expected):
            return value
        raise ValueError("Expected a JSON object." if expected is dict else "Expected a JSON list.")


class JSONDictField(JSONField):
    kind = "dict"
    help_text = "A JSON object, sent and returned as nested JSON (not as text)."


class JSONListField(JSONField):
    kind = "list"
    dehydrated_type = "list"
    help_text = "A JSON list, sent and returned as nested JSON (not as text)."


def json_field_class(model_field):
    """The API field class of a model JSONField: by what its default builds (dict or list)."""
    default = model_field.default
    sample = default() if callable(default) else default
    if isinstance(sample, dict):
        return JSONDictField
    if isinstance(sample, list):
        return JSONListField
    return JSONField


class BigIntegerStringField(tp.ApiField):
    """64-bit counters are strings on the wire, as the SDK reference types them."""

    dehydrated_type = "string"
    help_text = "A 64-bit integer, as a string. Ex: \"14055892515\""

    def convert(self, value):
        return None if value is None else str(int(value))


class ComputedField(tp.ApiField):
    """Read-only value produced by the resource (``dehydrate_<name>``)."""

    def __init__(self, dehydrated_type="string", served_type=None, **kwargs):
        kwargs.setdefault("readonly", True)
        kwargs.setdefault("null", True)
        super().__init__(attribute=None, **kwargs)
        self.dehydrated_type = dehydrated_type
        # The JSON type clients really receive where the reference declares another one (the
        # reference's schema/ type is kept; the OpenAPI document describes the served value).
        self.served_type = served_type


# ---- converters: model attribute value -> JSON-ready value (None handled by the caller)

def conv_datetime(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        return v.isoformat()
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    return str(v)


def conv_float(v):
    v = float(v)
    return v if math.isfinite(v) else None  # NaN/inf are not JSON


def conv_int(v):
    return int(v)


def conv_bool(v):
    return bool(v)


def conv_str(v):
    return v if type(v) is str else str(v)


def conv_bigint_str(v):
    return str(int(v))


def conv_json(v):
    if isinstance(v, (bytes, str)):
        # A JSON column may hold a JSON document as text (old imports); show the object.
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def conv_decimal(v):
    return float(v)


# The type each converter returns unchanged (the dehydration skips the call for it).
conv_int.native = int
conv_bool.native = bool
conv_str.native = str


def converter_for(field):
    if isinstance(field, BigIntegerStringField):
        return conv_bigint_str
    if isinstance(field, JSONField):
        return conv_json
    if isinstance(field, (tp.DateTimeField, tp.DateField, tp.TimeField)):
        return conv_datetime
    if isinstance(field, tp.BooleanField):
        return conv_bool
    if isinstance(field, tp.FloatField):
        return conv_float
    if isinstance(field, tp.IntegerField):
        return conv_int
    if isinstance(field, tp.DecimalField):
        return conv_decimal
    if isinstance(field, tp.CharField):
        return conv_str
    return None  # ListField / DictField / anything else: pass through


class ComputedRelatedField(ComputedField):
    """A computed value the schema types as ``related`` (e.g. names standing for a to-many)."""

    def __init__(self, to, many=False, **kwargs):
        super().__init__("related", **kwargs)
        self.to = to
        self.is_m2m = many

    def to_class(self):
        from django.utils.module_loading import import_string

        return import_string(self.to) if isinstance(self.to, str) else self.to
