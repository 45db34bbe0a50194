"""Custom routes on API resources (``<name>/<pk>/metadata/``, ``<name>/getargs/`` ...).

Each route view carries ``ion_permission`` ("anonymous", "authenticated", "staff", "admin" or a
permission codename such as ``rundb.change_results``) so route audits can read who may call it;
:func:`guard` enforces the same level inside the view: 401 before the method check, so an
anonymous caller learns nothing of a route (as rundb/api/endpoint.py does), then 405, then 403."""
import json

from django.urls import re_path
from tastypie.exceptions import BadRequest, ImmediateHttpResponse

from .auth import authenticate_request, plugin_result_from_request, unauthorized_response
from .base import error_response

LEVELS = ("anonymous", "authenticated", "staff", "admin")


def route(resource, suffix, method_name, permission, url_name=None):
    """A URL ``<resource>/<suffix>`` dispatched to ``resource.<method_name>`` (errors as JSON).

    ``permission`` is a level / codename, or ``{method: level}`` when reads and writes differ:
    then ``ion_permission`` is the GET level and ``ion_permission_by_method`` has them all."""
    name = resource._meta.resource_name
    view = resource.wrap_view(method_name)
    if isinstance(permission, dict):
        view.ion_permission_by_method = dict(permission)
        view.ion_permission = permission.get("GET", next(iter(permission.values())))
    else:
        view.ion_permission = permission
    return re_path(rf"^(?P<resource_name>{name})/{suffix}$", view,
                   name=url_name or f"api_{name}_{method_name}")


def allowed(user, permission):
    if permission == "authenticated":
        return True
    if permission == "staff":
        return user.is_staff or user.is_superuser
    if permission == "admin":
        return user.is_superuser
    return user.has_perm(permission)


def guard(resource, request, methods, permission):
    """Check method, credentials and permission; return the (lower-case) method."""
    if permission == "anonymous":
        return resource.method_check(request, allowed=methods)
    user = authenticate_request(request)
    if user is None:
        raise ImmediateHttpResponse(unauthorized_response())
    method = resource.method_check(request, allowed=methods)
    if permission != "authenticated" and plugin_result_from_request(request) is not None:
        raise ImmediateHttpResponse(error_response("A plugin key may not use this action.", 403))
    if not allowed(user, permission):
        raise ImmediateHttpResponse(error_response(
            f"You do not have permission to do that (needs {permission}).", 403))
    return method


def body_object(request):
    """The request body as a JSON object ({} when empty); BadRequest (400) otherwise."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data
