"""The Celery app. With REDIS_URL unset, tasks run eagerly in the caller's process."""
import os

from celery import Celery

# Bootstrapping, not configuration: Django finds iondb/settings.py through this variable.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iondb.settings")

app = Celery("iondb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
