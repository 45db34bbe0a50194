"""What a parsed JSON body value may be, and becomes, for one API field on the way in."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tastypie import fields as tp

from ..fields import BigIntegerStringField, JSONField

NUMBER_FIELDS = (tp.IntegerField, tp.FloatField, tp.DecimalField, BigIntegerStringField)


def type_problem(field, value):
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


def hydrate_value(field, value):
    """The model attribute value for body ``value`` of a non-related field; ValidationError
    for what the model could not take."""
    if value is None:
        return None  # a non-null field: full_clean names it
    if value == "" and isinstance(field, NUMBER_FIELDS):
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
        return parse_datetime_value(value)
    if isinstance(field, tp.BooleanField):
        return parse_boolean(value)
    if isinstance(field, tp.CharField) and isinstance(value, (dict, list)):
        raise ValidationError("Expected a string.")
    return value


def parse_datetime_value(value):
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValidationError(f"'{value}' is not an ISO-8601 date/time.")
        parsed = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.timezone.utc)
    return parsed


def parse_boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValidationError(f"'{value}' is not a boolean (true or false).")
