"""JSON responses, the checks every API request passes before any resource work, and the
one mapping from exceptions to error responses (JSON everywhere, a 500 never shows a
traceback)."""
import logging

from django.conf import settings
from django.core.exceptions import (
    EmptyResultSet,
    FullResultSet,
    ObjectDoesNotExist,
    RequestDataTooBig,
    ValidationError,
)
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from tastypie import fields as tp
from tastypie.exceptions import (
    BadRequest,
    ImmediateHttpResponse,
    InvalidFilterError,
    InvalidSortError,
    NotFound,
    Unauthorized,
)

from ..serializers import dumps

log = logging.getLogger("rundb.api.base")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CANNED_500 = "Sorry, this request could not be processed. Please try again later."


def json_response(data, status=200, **headers):
    response = HttpResponse(dumps(data), status=status, content_type="application/json")
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def error_response(message, status=400):
    return json_response({"error": message}, status=status)


def check_format(request):
    fmt = request.GET.get("format")
    if fmt is not None and fmt.lower() != "json":
        raise BadRequest(f"Unsupported format '{fmt}'. This server only speaks JSON: use format=json or omit it.")


def check_request(request, kwargs):
    """Refuse, before any work, what no resource can handle: bodies over ION_API_MAX_BODY (413)
    and NUL characters in the query string or URL (PostgreSQL cannot store or compare them)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Invalid Content-Length header.")
    limit = getattr(settings, "ION_API_MAX_BODY", 10 * 1024 * 1024)
    if length > limit:
        raise ImmediateHttpResponse(response=error_response(
            f"The request body is {length} bytes; the limit is {limit} bytes.", status=413))
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            raise BadRequest(f"Query parameter {key[:60]!r} contains a NUL character.")
    for value in kwargs.values():
        if isinstance(value, str) and "\x00" in value:
            raise BadRequest("The URL contains a NUL character.")


def check_compiles(queryset):
    """Some filter values fail only when the SQL is built (``?created__year=-1``: Python's
    datetime cannot hold the bounds): build it now, so they are a 400 rather than a failure
    while the page is read."""
    try:
        queryset.query.get_compiler(queryset.db).as_sql()
    except (EmptyResultSet, FullResultSet):
        pass
    except (ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise BadRequest(f"Invalid filter value: {exc}")


def validation_payload(exc):
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return [str(m) for m in exc.messages]


def first_line(exc):
    return str(exc).splitlines()[0]


def exception_response(request, exc):
    """The response for an exception raised while a resource handled ``request``."""
    if isinstance(exc, ImmediateHttpResponse):
        return exc.response
    if isinstance(exc, RequestDataTooBig):
        return error_response("The request body is too large.", status=413)
    if isinstance(exc, (BadRequest, InvalidFilterError, InvalidSortError, tp.ApiFieldError)):
        return error_response(str(exc.args[0]) if exc.args else "Bad request.")
    if isinstance(exc, ValidationError):
        return error_response(validation_payload(exc))
    if isinstance(exc, Unauthorized):
        return error_response(str(exc) or "Permission denied.", status=403)
    if isinstance(exc, (NotFound, ObjectDoesNotExist, Http404)):
        return error_response(str(exc) or "Not found.", status=404)
    if isinstance(exc, ProtectedError):
        return error_response(f"This object is still referenced and cannot be deleted: {exc.args[0]}", 409)
    if isinstance(exc, IntegrityError):
        return error_response(f"Conflicts with existing data: {first_line(exc)}", 409)
    if isinstance(exc, DataError):
        return error_response(f"The database rejected a value: {first_line(exc)}")
    log.exception("Internal error on %s %s", request.method, request.path, exc_info=exc)
    return json_response({"error_message": CANNED_500}, status=500)
