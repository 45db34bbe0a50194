"""Who is calling? One function answers that for the API and for the plugin views.

Accepted credentials, first match wins:

1. ``Authorization: ApiKey <username>:<key>`` (prefix case-insensitive), or the
   parameters ``?username=<u>&api_key=<key>``.
2. ``Authorization: pluginkey <pluginresult pk>:<key>``, or ``?pluginresult=<pk>&api_key=<key>``:
   the per-run key of a PluginResult. The request acts as that run's **owner** (the user
   who launched the plugin), and :func:`plugin_result_from_request` returns the run, so
   writes can be limited to that run's own PluginResult / PluginResultJob rows.
3. ``Authorization: Basic base64(user:password)`` checked by Django's auth backends. No
   session is created: every Basic request is checked on its own.
4. The Django session of a logged-in browser. For unsafe methods the CSRF token must be
   present (``X-CSRFToken`` header), otherwise the session does not count.

When credentials are presented (header or key parameters) and they are wrong, the request
is unauthenticated even if a session cookie is also present: a wrong key must never be
silently ignored. Loopback clients get no special treatment. Inactive users are rejected
everywhere. Secrets are compared with ``hmac.compare_digest``.

Form parameters (``application/x-www-form-urlencoded`` bodies) count like query parameters;
other bodies are never read here so that the view can still read them.
"""
import base64
import binascii
import logging

from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from tastypie.authentication import Authentication

from . import throttle
from .keys import check_hash

log = logging.getLogger(__name__)

REALM = "Torrent Suite"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
_MISSING = object()


def unauthorized_response():
    """401 with an empty body and the Basic challenge (clients and browsers expect it)."""
    response = HttpResponse(b"", status=401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return response


def _params(request):
    params = request.GET
    ctype = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
        merged = params.copy()
        merged.update(request.POST)
        params = merged
    return params


def _header(request):
    """(scheme lower-cased, credentials) from the Authorization header, or (None, None)."""
    raw = request.META.get("HTTP_AUTHORIZATION", "")
    if not raw.strip():
        return None, None
    scheme, _, rest = raw.strip().partition(" ")
    return scheme.lower(), rest.strip()


def _active_user(username):
    if not username:
        return None
    User = get_user_model()
    try:
        user = User._default_manager.select_related("api_key").get(**{User.USERNAME_FIELD: username})
    except (User.DoesNotExist, ValueError):
        return None
    except Exception:  # e.g. the ApiKey table missing in an odd deployment
        log.exception("user lookup failed")
        return None
    return user if user.is_active else None


def _user_by_api_key(username, key):
    user = _active_user(username)
    if user is None:
        # Burn comparable time so unknown usernames are not distinguishable by timing.
        check_hash("sha256$" + "0" * 64, key or "")
        return None
    try:
        stored = user.api_key.key
    except ObjectDoesNotExist:
        stored = None
    return user if check_hash(stored, key or "") else None


def _plugin_result_by_key(pk, key):
    """The run whose key this is, while one of the jobs launched with it is still active.

    Only hashes are stored (PluginResultJob.apikey_hash); each is compared in constant time.
    Once every job carrying the key has a final state (the job's own final callback included)
    the key no longer authenticates."""
    from rundb.models import PluginResult, PluginResultJob, plugin_key_matches

    from rundb.jobstates import ACTIVE_JOB_STATES

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not key or not isinstance(key, str) or not -2**63 <= pk < 2**63:
        return None
    hashes = list(PluginResultJob.objects.filter(plugin_result_id=pk, state__in=ACTIVE_JOB_STATES)
                  .values_list("apikey_hash", flat=True))
    matched = False
    for stored in hashes:  # no early exit: the time does not depend on which hash matched
        matched |= plugin_key_matches(stored, key)
    if not matched:
        return None
    pr = PluginResult.objects.select_related("owner").filter(pk=pk).first()
    if pr is None or pr.owner is None or not pr.owner.is_active:
        return None
    return pr


def decode_basic(credentials):
    """(username, password) of Basic credentials, or (None, None) when malformed."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None, None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None, None
    return username, password


def _basic_user(request, credentials):
    username, password = decode_basic(credentials)
    if username is None:
        throttle.record_failure(request)
        return None
    # A wrong password is counted by the user_login_failed signal (rundb/api/throttle.py).
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    return user


def _csrf_ok(request):
    if request.method in SAFE_METHODS:
        return True
    check = CsrfViewMiddleware(lambda r: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is None


def _resolve(request):
    """Returns (user or None, plugin_result or None); cached on the request."""
    cached = getattr(request, "_ion_auth", _MISSING)
    if cached is not _MISSING:
        return cached
    result = _do_resolve(request)
    request._ion_auth = result
    return result


def _key_user(request, username, key):
    user = _user_by_api_key(username, key)
    if user is None:
        throttle.record_failure(request, username or "")
    return user


def _key_run(request, pk, key):
    pr = _plugin_result_by_key(pk, key)
    if pr is None:
        throttle.record_failure(request)
    return pr


def _do_resolve(request):
    scheme, creds = _header(request)
    if scheme == "apikey":
        username, sep, key = (creds or "").rpartition(":")
        return _key_user(request, username if sep else "", key if sep else ""), None
    if scheme == "pluginkey":
        pk, sep, key = (creds or "").partition(":")
        pr = _key_run(request, pk, key if sep else "")
        return (pr.owner if pr else None), pr
    if scheme == "basic":
        return _basic_user(request, creds or ""), None
    if scheme is not None:
        throttle.record_failure(request)
        return None, None  # an unknown scheme is a failed credential, not "no credential"

    params = _params(request)
    if "api_key" in params:
        key = params.get("api_key")
        if "pluginresult" in params:
            pr = _key_run(request, params.get("pluginresult"), key)
            return (pr.owner if pr else None), pr
        return _key_user(request, params.get("username"), key), None

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and _csrf_ok(request):
        return user, None
    return None, None


def authenticate_request(request):
    """The User making this request, or None. Also sets ``request.user`` on success."""
    user, _ = _resolve(request)
    if user is not None:
        request.user = user
    return user


def plugin_result_from_request(request):
    """The PluginResult whose per-run key authenticated this request, else None."""
    _, pr = _resolve(request)
    return pr


class IonAuthentication(Authentication):
    """Tastypie adapter around :func:`authenticate_request`."""

    def is_authenticated(self, request, **kwargs):
        if authenticate_request(request) is None:
            return unauthorized_response()
        return True

    def get_identifier(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user.get_username()
        return "nouser"
