"""Users (read-only), their profile, and ``account`` (the caller's own identity and key)."""
from django.contrib.auth import get_user_model
from tastypie import fields
from tastypie import http

from rundb.models import UserProfile

from ..auth import plugin_result_from_request
from ..base import ComputedField, IonMeta, IonResource, ReadOnlyMeta
from .site_routes import UserRoutesMixin
from ..keys import issue_key

User = get_user_model()


class UserProfileResource(IonResource):
    class Meta(IonMeta):
        queryset = UserProfile.objects.all()
        resource_name = "userprofile"
        excludes = ["user"]
        embedded = True


class UserResource(UserRoutesMixin, IonResource):
    """GET only; never exposes password, is_staff or is_superuser (so they cannot be filtered)."""

    full_name = ComputedField("string")
    profile = fields.ToOneField(UserProfileResource, "userprofile", full=True, null=True, readonly=True)

    class Meta(ReadOnlyMeta):
        queryset = User.objects.all()
        resource_name = "user"
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "last_login", "date_joined"]

    def dehydrate_full_name(self, bundle):
        return bundle.obj.get_full_name()


class AccountResource(IonResource):
    """``GET account/``: the caller, ``{uid, username, admin, api_key}``. Keys are stored hashed,
    so ``api_key`` is null; ``POST account/`` issues a new key for the caller and returns it once
    (201 ``{"username": ..., "api_key": ...}``); the previous key stops working."""

    uid = ComputedField("string")
    admin = ComputedField("boolean")
    api_key = ComputedField("string")
    # The body of POST account/ (read by rundb/api/openapi.py).
    openapi_created = {"type": "object", "required": ["username", "api_key"],
                       "properties": {"username": {"type": "string"}, "api_key": {"type": "string"}}}

    class Meta(IonMeta):
        queryset = User.objects.all()
        resource_name = "account"
        fields = ["username"]
        list_allowed_methods = ["get", "post"]
        detail_allowed_methods = ["get"]
        filter_fields = {}

    def get_object_list(self, request):
        return User.objects.filter(pk=getattr(request.user, "pk", None))

    def obj_get(self, bundle, **kwargs):
        return self.get_object_list(bundle.request).get()

    def uri_for_pk(self, pk):
        return f"{self.list_uri()}{pk}/"

    def dehydrate_uid(self, bundle):
        return str(bundle.obj.pk)

    def dehydrate_admin(self, bundle):
        return bundle.obj.is_superuser

    def dehydrate_api_key(self, bundle):
        return None

    def post_list(self, request, **kwargs):
        if plugin_result_from_request(request) is not None:
            return self.error_response(request, {"error": "A plugin key cannot issue user keys."}, http.HttpForbidden)
        key = issue_key(request.user)
        return self.create_response(
            request, {"username": request.user.get_username(), "api_key": key}, response_class=http.HttpCreated
        )
