"""Every user gets an API key when created (hashed; nobody sees it until it is re-issued)."""
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .keys import ensure_key


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="rundb_api_key_for_new_user")
def create_api_key_for_new_user(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        # Kept on the instance so the code that created the user can show it once.
        instance._new_api_key = ensure_key(instance)
