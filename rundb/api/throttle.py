"""Password and key guessing is throttled: after ION_AUTH_FAILURE_LIMIT failed sign-ins within
ION_AUTH_COOLOFF seconds, further attempts get 429 until that time has passed without a new
failure.

Two counters, kept in Django's cache (Redis when REDIS_URL is set, so every gunicorn worker
sees the same counts; per process otherwise):

* per client address: every failed credential from it (password, API key, plugin key, login
  form). A locked address gets 429 for any credential, right or wrong, so guessing from it
  learns nothing more.
* per user name: failed passwords and API keys naming that user, from anywhere. A locked user
  gets 429 for passwords (Basic, admin and web login forms) from every address; a correct API
  key still works from an address that is not locked (a 40-hex-digit key cannot be guessed,
  and automation must not be locked out by someone else's guessing).

Failures are recorded by rundb/api/auth.py (keys, malformed credentials) and by Django's
``user_login_failed`` signal (every password check: Basic, admin login, LOGIN_URL).
LoginThrottleMiddleware answers 429 before any credential is checked. Behind a reverse proxy
set ION_TRUSTED_PROXIES so the client's own address (X-Forwarded-For) is counted.
"""
import json
import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse

log = logging.getLogger(__name__)


def _limit():
    return int(getattr(settings, "ION_AUTH_FAILURE_LIMIT", 10))


def _cooloff():
    return max(1, int(getattr(settings, "ION_AUTH_COOLOFF", 300)))


def client_address(request):
    """The caller's address: REMOTE_ADDR, or the nearest X-Forwarded-For hop that is not one
    of ION_TRUSTED_PROXIES when the request came through one of them."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(getattr(settings, "ION_TRUSTED_PROXIES", ()) or ())
    if remote in trusted:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return remote


def _key(kind, value):
    namespace = getattr(settings, "ION_AUTH_THROTTLE_NAMESPACE", "")
    return f"ion-auth:{namespace}:{kind}:{value}"


def _record(kind, value, now):
    """One more failure for (kind, value): {"n": count, "until": end of cooling-off}."""
    key = _key(kind, value)
    entry = cache.get(key) or {}
    count = int(entry.get("n", 0)) + 1
    cache.set(key, {"n": count, "until": now + _cooloff()}, timeout=_cooloff())
    return count


def _retry_after(kind, value, now):
    """Seconds until (kind, value) may try again; 0 when it is not locked."""
    entry = cache.get(_key(kind, value))
    if not entry or int(entry.get("n", 0)) < _limit():
        return 0
    return max(0, int(entry.get("until", 0) - now + 0.999))


def record_failure(request, username=""):
    """Count one failed credential of *request* (for the address, and for *username*)."""
    if _limit() <= 0:
        return
    now = time.time()
    address = client_address(request) if request is not None else ""
    counts = []
    if address:
        counts.append(_record("addr", address, now))
    if username:
        counts.append(_record("user", str(username).lower(), now))
    if counts and max(counts) == _limit():
        log.warning("sign-in throttled for %ss after %s failures: address %s, user %r",
                    _cooloff(), _limit(), address, username)


def locked_for(request, username="", *, password=True):
    """Seconds *request* must wait (0: go ahead). The user's own lock applies to passwords."""
    if _limit() <= 0:
        return 0
    now = time.time()
    wait = _retry_after("addr", client_address(request), now)
    if username and password:
        wait = max(wait, _retry_after("user", str(username).lower(), now))
    return wait


def throttled_response(request, wait):
    """429 with Retry-After: a JSON error for API clients, plain text for a login form."""
    message = f"Too many failed sign-in attempts; try again in {wait} s."
    if request.path in _login_paths():
        response = HttpResponse(message + "\n", status=429, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(json.dumps({"error_message": message}), status=429,
                                content_type="application/json")
    response["Retry-After"] = str(wait)
    return response


@receiver(user_login_failed, dispatch_uid="rundb.api.throttle.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record_failure(request, (credentials or {}).get("username", ""))


def _login_paths():
    paths = {settings.LOGIN_URL}
    try:
        paths.add(reverse("admin:login"))
    except NoReverseMatch:
        pass
    return paths


def presented_credential(request):
    """(username or "", password-based?) of the credential *request* presents, or None when
    it presents none (a plain browser request with or without a session)."""
    from .auth import _header, _params, decode_basic

    scheme, creds = _header(request)
    if scheme == "basic":
        username, _password = decode_basic(creds or "")
        return username or "", True
    if scheme == "apikey":
        return (creds or "").rpartition(":")[0], False
    if scheme is not None:
        return "", False
    if request.method == "POST" and request.path in _login_paths():
        return request.POST.get("username", ""), True
    params = _params(request)
    if "api_key" in params:
        return ("" if "pluginresult" in params else params.get("username", "")), False
    return None


class LoginThrottleMiddleware:
    """429 for credentials from a locked address, and for passwords of a locked user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        presented = presented_credential(request)
        if presented is not None:
            username, password = presented
            wait = locked_for(request, username, password=password)
            if wait:
                return throttled_response(request, wait)
        return self.get_response(request)
