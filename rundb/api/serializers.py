"""JSON in, JSON out.

Responses: keys sorted, UTF-8, datetimes ISO-8601 with offset. Resources hand this module
plain dicts (the fast dehydration already converted values), so ``to_json`` skips tastypie's
recursive ``to_simple`` walk, which dominated list-request time.
"""
import datetime
import decimal
import json
import uuid

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


def dumps(data):
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
            return json.loads(content)
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
