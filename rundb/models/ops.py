"""Server operation records: notification addresses, downloads, mesh peers, upload log, monitor trees,
support uploads."""
from django.db import models
from django.utils import timezone


class EmailAddress(models.Model):
    email = models.EmailField(blank=True)
    selected = models.BooleanField(default=False)


class FileMonitor(models.Model):
    """A file the server downloads (references, updates); ``size``/``progress`` in bytes."""

    url = models.CharField(max_length=2000)
    local_dir = models.CharField(max_length=512, blank=True, default="")
    name = models.CharField(max_length=255, blank=True, default="")
    size = models.BigIntegerField(null=True, blank=True, default=None)
    progress = models.BigIntegerField(default=0)
    status = models.CharField(max_length=60, blank=True, default="")
    celery_task_id = models.CharField(max_length=60, blank=True, default="")
    md5sum = models.CharField(max_length=32, null=True, blank=True, default=None)
    tags = models.CharField(max_length=1024, blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)


class IonMeshNode(models.Model):
    """A peer Torrent Server: its identity and the keys each side gives the other."""

    hostname = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=128, blank=True, default="")
    system_id = models.CharField(max_length=37, unique=True)
    apikey_local = models.CharField(max_length=256, null=True, blank=True)
    apikey_remote = models.CharField(max_length=256, null=True, blank=True)
    share_plans = models.BooleanField(default=True)
    share_data = models.BooleanField(default=True)
    share_monitoring = models.BooleanField(default=True)


class UserEventLog(models.Model):
    """Progress lines of a content upload (shown under the upload in the UI)."""

    text = models.TextField(blank=True, default="")
    timeStamp = models.DateTimeField(default=timezone.now)
    upload = models.ForeignKey("rundb.ContentUpload", on_delete=models.CASCADE, related_name="logs")


class MonitorData(models.Model):
    name = models.CharField(max_length=128, blank=True, default="")
    treeDat = models.JSONField(default=dict, blank=True)


class SupportUpload(models.Model):
    """A report archive sent to support; ``file`` is the FileMonitor of the archive."""

    result = models.ForeignKey("rundb.Results", on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(FileMonitor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    local_status = models.CharField(max_length=255, blank=True, default="")
    local_message = models.CharField(max_length=2000, blank=True, default="")
    celery_task_id = models.CharField(max_length=60, blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    ticket_id = models.CharField(max_length=255, blank=True, default="")
    ticket_status = models.CharField(max_length=255, blank=True, default="")
    ticket_message = models.CharField(max_length=2000, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
