"""Admin registrations: the API-key page (list, regenerate and show a new key once)."""
from django.contrib import admin, messages
from tastypie.models import ApiKey

from rundb.api.keys import issue_key

if admin.site.is_registered(ApiKey):
    admin.site.unregister(ApiKey)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are stored hashed: the list shows who has one; "regenerate" shows a new key once."""

    list_display = ["user", "created", "stored_as"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    fields = ["user", "created"]
    readonly_fields = ["created"]
    actions = ["regenerate"]

    @admin.display(description="key")
    def stored_as(self, obj):
        return "hashed (sha256)" if (obj.key or "").startswith("sha256$") else "not usable (unhashed)"

    @admin.action(description="Regenerate API key (shown once)")
    def regenerate(self, request, queryset):
        for api_key in queryset.select_related("user"):
            key = issue_key(api_key.user)
            messages.success(
                request,
                f"New API key for {api_key.user.get_username()}: {key} (copy it now; it is not shown again)",
            )

    def save_model(self, request, obj, form, change):
        # Adding a key by hand: issue a real one and show it once.
        if not change:
            key = issue_key(obj.user)
            messages.success(request, f"API key for {obj.user.get_username()}: {key} (shown once)")
            obj.pk = type(obj).objects.get(user=obj.user).pk
            return
        super().save_model(request, obj, form, change)
