"""Signal wiring of the API: a key for every new user; the ionusers group after every migrate
(and after ``flush``, which empties it; the data migration covers the first migrate)."""
from django.conf import settings
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from .keys import ensure_key


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="rundb_api_key_for_new_user")
def create_api_key_for_new_user(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        # Kept on the instance so the code that created the user can show it once.
        instance._new_api_key = ensure_key(instance)


@receiver(post_migrate, dispatch_uid="rundb_ionusers_group")
def ensure_group_after_migrate(sender, using="default", **kwargs):
    if getattr(sender, "name", None) != "rundb":
        return
    from .permissions import ensure_ionusers_group

    ensure_ionusers_group()
