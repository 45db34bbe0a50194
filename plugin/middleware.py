"""Remember the request being served, so plugin launches made through it know the address the
server was really reached at (plugin/services/config.py, net_location)."""
from .services.config import current_request


class RequestLocationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
