"""JSON in, JSON out.

Responses: keys sorted, UTF-8, datetimes ISO-8601 with offset. Resources hand this module
plain dicts (the fast dehydration already converted values), so ``to_json`` skips tastypie's
recursive ``to_simple`` walk, which dominated list-request time.
"""
import datetime
import decimal
import json
import math
import uuid

import orjson
from django.utils.functional import Promise
from tastypie.bundle import Bundle
from tastypie.exceptions import BadRequest
from tastypie.serializers import Serializer


def json_default(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Bundle):
        return value.data
    if isinstance(value, Promise):  # lazy translation strings (help texts)
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


MAX_DEPTH = 64  # objects/lists inside each other; real bodies use a handful


def _reject_constant(name):
    raise BadRequest(f"{name} is not a valid JSON number; send a finite number or null.")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest(f"The number {text[:40]} is out of range; send a finite number.")
    return value


def check_values(data):
    """Reject what the database cannot store or what would exhaust the stack later: nesting
    deeper than MAX_DEPTH, NUL characters and unpaired surrogates (``"\\ud800"``) in strings
    and keys. Iterative, so hostile depth cannot overflow it."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise BadRequest(f"JSON nested too deeply (more than {MAX_DEPTH} levels).")
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)


def _check_text(text):
    if "\x00" in text:
        raise BadRequest("Strings may not contain NUL (\\u0000) characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("Strings may not contain unpaired UTF-16 surrogates (e.g. \\ud800).")


def loads(content):
    """Parse a request body: BadRequest for NaN / Infinity / out-of-range numbers, nesting past
    MAX_DEPTH, NUL and unpaired surrogates; ValueError for text that is not JSON."""
    try:
        data = json.loads(content, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadRequest(f"JSON nested too deeply (more than {MAX_DEPTH} levels).")
    check_values(data)
    return data


# Datetimes go through json_default (isoformat) rather than orjson's own encoder, so the text
# is the same as the json module's whichever path a body takes.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(data):
    """Response text: sorted keys, UTF-8. orjson for speed (large list pages spent most of
    their serialising time in the json module); the json module for what orjson refuses
    (integers beyond 64 bits, unpaired surrogates, non-finite floats)."""
    try:
        return orjson.dumps(data, default=json_default, option=_ORJSON_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=json_default)


class IonSerializer(Serializer):
    formats = ["json"]
    content_types = {"json": "application/json"}

    def to_json(self, data, options=None):
        return dumps(data)

    def from_json(self, content):
        if content is None or not content.strip():
            raise BadRequest("Request body is empty; send a JSON object.")
        try:
            return loads(content)
        except ValueError as exc:
            raise BadRequest(f"Malformed JSON in request body: {exc}")

    def deserialize(self, content, format="application/json"):
        # Every body is read as JSON whatever the Content-Type says: old clients send
        # JSON with form or missing content types, and JSON is all we speak.
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("Request body is not UTF-8 encoded JSON.")
        return self.from_json(content)
