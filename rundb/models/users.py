"""Per-user profile (the API `user.profile` relation)."""
from django.conf import settings
from django.db import models


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="userprofile")
    name = models.CharField(max_length=93, blank=True, default="")
    phone_number = models.CharField(max_length=256, blank=True, default="")
    title = models.CharField(max_length=256, blank=True, default="user")
    note = models.TextField(blank=True, default="")
    needs_activation = models.BooleanField(default=False)
    last_read_news_post = models.DateTimeField(null=True, blank=True)
