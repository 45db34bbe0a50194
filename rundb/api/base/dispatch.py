"""Request handling around every resource view: format and size checks, one transaction per
write request (rolled back on any error response), allowed methods, JSON responses."""
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from tastypie import http
from tastypie.exceptions import ImmediateHttpResponse

from ..serializers import dumps
from .responses import SAFE_METHODS, check_format, check_request, error_response, exception_response


class DispatchMixin:
    def wrap_view(self, view):
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            try:
                check_format(request)
                check_request(request, kwargs)
                callback = getattr(self, view)
                if request.method in SAFE_METHODS:
                    return callback(request, *args, **kwargs)
                with transaction.atomic():
                    response = callback(request, *args, **kwargs)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
                    return response
            except Exception as exc:
                return exception_response(request, exc)

        return wrapper

    def method_check(self, request, allowed=None):
        allowed = allowed or []
        method = request.method.lower()
        allows = ",".join(m.upper() for m in allowed)
        if method == "options":
            response = HttpResponse(allows)
            response["Allow"] = allows
            raise ImmediateHttpResponse(response=response)
        if method == "head" and "get" in allowed:
            return "get"
        if method not in allowed:
            response = error_response(
                f"Method {request.method} is not allowed here; allowed: {allows.replace(',', ', ') or 'none'}.",
                status=405,
            )
            response["Allow"] = allows
            raise ImmediateHttpResponse(response=response)
        return method

    def unauthorized_result(self, exception):
        message = str(exception) or "You do not have permission to do that."
        raise ImmediateHttpResponse(response=error_response(message, status=403))

    def determine_format(self, request):
        # JSON only (check_format refuses others); no Accept-header negotiation.
        return "application/json"

    def create_response(self, request, data, response_class=HttpResponse, **response_kwargs):
        return response_class(content=dumps(data), content_type="application/json", **response_kwargs)

    def error_response(self, request, errors, response_class=None):
        response_class = response_class or http.HttpBadRequest
        return response_class(content=dumps(errors), content_type="application/json")
