"""``prepopulatedplanningsession``: hand a prepared plan to the planning page.

* ``POST prepopulatedplanningsession/`` with any JSON object (the plan's values) stores it for
  ``ION_PLANNING_SESSION_TTL`` seconds and answers 200 ``{"error_message": "", "id": "<uuid>",
  "cache_key": "prepopulated-planning-session-<uuid>"}`` (the original's shape). Needs
  ``rundb.add_plannedexperiment``: a session exists to create a plan.
* ``GET prepopulatedplanningsession/<id>/``: ``{"id", "cache_key", "data", "created",
  "expires"}``; ``DELETE`` removes it (204). Only its creator (or a superuser) sees it: anyone
  else, and an expired session, gets 404.

Sessions are rows (rundb.models.PlanningSession), not cache entries, so every web process
sees them and a cache flush does not lose one; expired rows are purged on each POST, and a
user keeps at most ``MAX_PER_USER`` live ones (the oldest go first)."""
import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.urls import re_path
from django.utils import timezone

from rundb.models import PlanningSession

from ..base import IonMeta, json_response
from ..endpoint import endpoint, error
from .system import ActionResource, _field

CACHE_KEY_PREFIX = "prepopulated-planning-session-"
MAX_PER_USER = 100
MAX_BODY = 1024 * 1024

CREATED_SHAPE = {"type": "object", "required": ["error_message", "id", "cache_key"], "properties": {
    "error_message": {"type": "string"}, "id": {"type": "string", "format": "uuid"},
    "cache_key": {"type": "string"}}}
SESSION_SHAPE = {"type": "object", "required": ["id", "cache_key", "data", "created", "expires"], "properties": {
    "id": {"type": "string", "format": "uuid"}, "cache_key": {"type": "string"}, "data": {"type": "object"},
    "created": {"type": "string", "format": "date-time"}, "expires": {"type": "string", "format": "date-time"}}}


def _describe(session):
    return {"id": str(session.pk), "cache_key": CACHE_KEY_PREFIX + str(session.pk), "data": session.data,
            "created": session.created.isoformat(), "expires": session.expires.isoformat()}


def live_session(pk, user):
    """The unexpired session ``pk`` if ``user`` may see it, else None."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    session = PlanningSession.objects.filter(pk=pk, expires__gt=timezone.now()).first()
    if session is None or not (user.is_superuser or session.owner_id == user.pk):
        return None
    return session


def session_id(text):
    """The session id in *text*: the id itself or its cache key (the original's planning page
    took either); "" when it is neither."""
    text = str(text or "").strip()
    if text.startswith(CACHE_KEY_PREFIX):
        text = text[len(CACHE_KEY_PREFIX):]
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return ""


@endpoint("rundb.add_plannedexperiment", methods=("POST",), json_body=True, max_body=MAX_BODY)
def create_session(request):
    """Store a prepared plan for the planning page; answers its id and cache key."""
    now = timezone.now()
    with transaction.atomic():
        PlanningSession.objects.filter(expires__lte=now).delete()
        session = PlanningSession.objects.create(
            owner=request.user, data=request.json_body,
            expires=now + dt.timedelta(seconds=settings.ION_PLANNING_SESSION_TTL))
        stale = PlanningSession.objects.filter(owner=request.user).order_by("-created", "-pk")[MAX_PER_USER:]
        PlanningSession.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return json_response({"error_message": "", "id": str(session.pk),
                          "cache_key": CACHE_KEY_PREFIX + str(session.pk)})


@endpoint("authenticated", methods=("GET", "DELETE"))
def session_detail(request, pk):
    """Read (GET) or discard (DELETE) one of the caller's prepared plans."""
    session = live_session(pk, request.user)
    if session is None:
        return error(404, f"No planning session '{pk}' (it may have expired).")
    if request.method == "DELETE":
        session.delete()
        return HttpResponse(status=204)
    return json_response(_describe(session))


create_session.openapi = {"methods": {"post": {
    "summary": "Store a prepared plan for the planning page", "tag": "prepopulatedplanningsession",
    "body": {"type": "object"}, "responses": {200: CREATED_SHAPE}, "errors": ("413",)}}}
session_detail.openapi = {"methods": {
    "get": {"summary": "A prepared plan (its creator only)", "tag": "prepopulatedplanningsession",
            "responses": {200: SESSION_SHAPE}},
    "delete": {"summary": "Discard a prepared plan", "tag": "prepopulatedplanningsession",
               "responses": {204: None}}}}


class PrepopulatedPlanningSessionResource(ActionResource):
    """Prepared plans handed to the planning page (POST to store one)."""

    fields_schema = {
        "error_message": _field("string", "Empty when the session was stored."),
        "id": _field("string", "The session's id (a uuid)."),
        "cache_key": _field("string", "prepopulated-planning-session-<id>."),
    }

    class Meta(IonMeta):
        resource_name = "prepopulatedplanningsession"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._meta.allowed_methods = self._meta.list_allowed_methods = ["post"]
        self._meta.detail_allowed_methods = ["get", "delete"]

    def base_urls(self):
        name = self._meta.resource_name
        return [
            re_path(rf"^(?P<resource_name>{name})/$", _drop_resource_name(create_session),
                    name="api_prepopulatedplanningsession_create"),
            re_path(rf"^(?P<resource_name>{name})/schema/$", self.view(self.schema, True), name="api_get_schema"),
            re_path(rf"^(?P<resource_name>{name})/(?P<pk>[^/]+)/$", _drop_resource_name(session_detail),
                    name="api_prepopulatedplanningsession_detail"),
        ]

    def schema(self, request):
        data = super().schema(request)
        data["allowed_list_http_methods"] = list(self._meta.list_allowed_methods)
        data["allowed_detail_http_methods"] = list(self._meta.detail_allowed_methods)
        return data


def _drop_resource_name(view):
    """Tastypie's URL patterns pass ``resource_name`` (and ``api_name``); these views take neither."""
    def wrapper(request, *args, resource_name=None, api_name=None, **kwargs):
        return view(request, *args, **kwargs)

    for attr in ("ion_permission", "ion_methods", "openapi", "__doc__", "__name__", "__module__", "csrf_exempt"):
        if hasattr(view, attr):
            setattr(wrapper, attr, getattr(view, attr))
    return wrapper


RESOURCES = [PrepopulatedPlanningSessionResource]
