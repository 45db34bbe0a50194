"""One decorator for every action endpoint (the views that are not Tastypie resources).

    @endpoint(permission="rundb.add_pluginresult", methods=("POST",), json_body=True)
    def results_plugin(request, pk): ...          # request.json_body is the parsed object

It does, in this order, and always answers errors as JSON ``{"error": "..."}``:

1. authentication with :func:`rundb.api.auth.authenticate_request` (the API's own: ApiKey,
   plugin key, Basic, or a session whose unsafe requests carry the CSRF token). No
   credentials: 401 (with the Basic challenge). A logged-in session sending a write without the
   CSRF token: 403. The acting user is only ever the authenticated one.
2. the method: 405 with ``Allow`` (HEAD counts as GET).
3. the permission: ``"anonymous"``, ``"authenticated"``, ``"staff"`` (``is_staff``), ``"admin"``
   (superuser) or a Django permission ``"<app>.<codename>"``: 403. ``allow_plugin_key=False``
   refuses a plugin run's per-run key (403) whatever its owner may do.
4. the body: larger than ``max_body`` bytes: 413; with ``json_body=True`` a non-empty body must be
   a JSON object (400 otherwise), available as ``request.json_body`` (``{}`` when empty).

A path built from a database name that would leave its root (rundb.paths) is answered 400.

The wrapped view carries ``ion_permission`` (and ``ion_methods``); the route walker
(tests/rundb/api/test_route_permissions.py, table in rundb/api/access.py) reads them.
"""
import functools

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from tastypie.exceptions import BadRequest

from rundb.paths import UnsafeName, UnsafePath

from .auth import REALM, SAFE_METHODS, authenticate_request, plugin_result_from_request
from .serializers import loads

LEVELS = ("anonymous", "authenticated", "staff", "admin")
DEFAULT_MAX_BODY = 1024 * 1024  # JSON bodies of action endpoints are small


def error(status, message, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


def unauthorized(message="Authentication required."):
    response = error(401, message)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return response


def method_not_allowed(methods):
    response = error(405, f"Method not allowed; use {', '.join(methods)}.")
    response["Allow"] = ", ".join(methods)
    return response


def has_permission(user, permission):
    """Does `user` (authenticated) hold `permission` (a level or a Django permission)?"""
    if permission in ("anonymous", "authenticated"):
        return True
    if permission == "staff":
        return bool(user.is_staff or user.is_superuser)
    if permission == "admin":
        return bool(user.is_superuser)
    return user.has_perm(permission)


def _session_without_csrf(request):
    """A logged-in browser session sent a write without a valid CSRF token."""
    user = getattr(request, "user", None)
    return (
        request.method not in SAFE_METHODS
        and not request.META.get("HTTP_AUTHORIZATION")
        and "api_key" not in request.GET
        and user is not None and user.is_authenticated
    )


def _limit(max_body):
    return max_body() if callable(max_body) else max_body


def endpoint(permission="authenticated", methods=("GET",), *, json_body=False, max_body=DEFAULT_MAX_BODY,
             allow_plugin_key=True):
    if permission not in LEVELS and "." not in permission:
        raise ValueError(f"unknown permission {permission!r}: use one of {LEVELS} or '<app>.<codename>'")
    methods = tuple(m.upper() for m in methods)
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = authenticate_request(request)
            if user is None and permission != "anonymous":
                if _session_without_csrf(request):
                    return error(403, "CSRF check failed: send the X-CSRFToken header with session writes.")
                return unauthorized()
            if request.method not in allowed:
                return method_not_allowed(methods)
            if user is not None and permission != "anonymous":
                if not allow_plugin_key and plugin_result_from_request(request) is not None:
                    return error(403, "A plugin key cannot do this.")
                if not has_permission(user, permission):
                    return error(403, f"You do not have permission to do this (needs {permission}).")
            limit = _limit(max_body)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return error(400, "Bad Content-Length header.")
            if limit is not None and length > limit:
                return error(413, f"The request body is larger than {limit} bytes.")
            if json_body:
                ctype = request.META.get("CONTENT_TYPE", "")
                request.json_body = {}
                if not ctype.startswith(("multipart/", "application/x-www-form-urlencoded")):
                    try:
                        raw = request.body
                    except RequestDataTooBig:
                        return error(413, "The request body is too large.")
                    if limit is not None and len(raw) > limit:
                        return error(413, f"The request body is larger than {limit} bytes.")
                    if raw.strip():
                        try:
                            body = loads(raw)  # refuses NaN, deep nesting, NUL ... as the resources do
                        except BadRequest as exc:
                            return error(400, str(exc))
                        except (ValueError, UnicodeDecodeError) as exc:
                            return error(400, f"The request body is not valid JSON: {exc}")
                        if not isinstance(body, dict):
                            return error(400, "The request body must be a JSON object.")
                        request.json_body = body
            try:
                return view(request, *args, **kwargs)
            except (UnsafeName, UnsafePath) as exc:  # a name from the database would leave its root
                return error(400, str(exc))

        # Authentication (and with it the CSRF check of session writes) is done above.
        wrapper = csrf_exempt(wrapper)
        wrapper.ion_permission = permission
        wrapper.ion_methods = methods
        return wrapper

    return decorate
