"""Site-level objects: locations, file servers, report storage, instruments, global config."""
from django.db import models
from django.utils import timezone


class Location(models.Model):
    name = models.CharField(max_length=200)
    comments = models.TextField(blank=True, default="")
    defaultlocation = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class FileServer(models.Model):
    name = models.CharField(max_length=200)
    comments = models.TextField(blank=True, default="")
    filesPrefix = models.CharField(max_length=512)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="fileservers")
    percentfull = models.FloatField(null=True, blank=True, default=0)

    def __str__(self):
        return self.name


class ReportStorage(models.Model):
    name = models.CharField(max_length=200)
    webServerPath = models.CharField(max_length=200)
    dirPath = models.CharField(max_length=512)
    default = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class Rig(models.Model):
    """A sequencing instrument. Its primary key is its name, as in the original."""

    name = models.CharField(max_length=200, primary_key=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rigs")
    comments = models.TextField(blank=True, default="")
    ftpserver = models.CharField(max_length=128, blank=True, default="192.168.201.1")
    ftpusername = models.CharField(max_length=64, blank=True, default="ionguest")
    ftppassword = models.CharField(max_length=64, blank=True, default="ionguest")
    ftprootdir = models.CharField(max_length=64, blank=True, default="results")
    updatehome = models.CharField(max_length=256, blank=True, default="192.168.201.1")
    updateflag = models.BooleanField(default=False)
    serial = models.CharField(max_length=24, null=True, blank=True)
    state = models.CharField(max_length=512, blank=True, default="")
    version = models.JSONField(default=dict, blank=True)
    alarms = models.JSONField(default=dict, blank=True)
    last_init_date = models.CharField(max_length=512, blank=True, default="")
    last_clean_date = models.CharField(max_length=512, blank=True, default="")
    last_experiment = models.CharField(max_length=512, blank=True, default="")
    updateCommand = models.JSONField(default=dict, blank=True)
    host_address = models.CharField(max_length=1024, blank=True, default="")
    type = models.CharField(max_length=1024, blank=True, default="")

    class Meta:
        ordering = ["-name"]

    def __str__(self):
        return self.name


class GlobalConfig(models.Model):
    name = models.CharField(max_length=512)
    selected = models.BooleanField(default=False)
    plugin_output_folder = models.CharField(max_length=512, blank=True, default="plugin_out")
    default_library_key = models.CharField(max_length=50, blank=True, default="TCAG")
    default_test_fragment_key = models.CharField(max_length=50, blank=True, default="ATCG")
    default_flow_order = models.CharField(max_length=100, blank=True, default="TACG")
    web_root = models.CharField(max_length=500, blank=True, default="")
    site_name = models.CharField(max_length=500, blank=True, default="")
    records_to_display = models.IntegerField(default=20, blank=True)
    default_storage_options = models.CharField(max_length=500, blank=True, default="D")
    auto_archive_ack = models.BooleanField(default=False)
    auto_archive_enable = models.BooleanField(default=False)
    enable_auto_pkg_dl = models.BooleanField(default=True)
    enable_auto_security = models.BooleanField(default=True)
    enable_nightly_email = models.BooleanField(default=True)
    enable_support_upload = models.BooleanField(default=False)
    enable_version_lock = models.BooleanField(default=False)
    enable_compendia_OCP = models.BooleanField(default=False)
    check_news_posts = models.BooleanField(default=True)
    cluster_auto_disable = models.BooleanField(default=True)
    base_recalibration_mode = models.CharField(max_length=64, blank=True, default="standard_recal")
    mark_duplicates = models.BooleanField(default=False)
    realign = models.BooleanField(default=False)
    ts_update_status = models.CharField(max_length=256, blank=True, default="")
    sec_update_status = models.CharField(max_length=128, blank=True, default="")

    @classmethod
    def get(cls):
        """The site's single configuration row, created on first use."""
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create(name="Config", selected=False)
        return obj

    def __str__(self):
        return self.name


class Message(models.Model):
    body = models.TextField(blank=True, default="")
    level = models.IntegerField(default=20)
    route = models.TextField(blank=True, default="")
    expires = models.TextField(blank=True, default="read")
    tags = models.TextField(blank=True, default="")
    status = models.TextField(blank=True, default="unread")
    time = models.DateTimeField(default=timezone.now)


class EventLog(models.Model):
    """Free-text audit entries attached to any object (generic relation by content type + pk)."""

    text = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_pk = models.PositiveIntegerField(default=0)
    username = models.CharField(max_length=32, blank=True, default="ION")

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_pk"])]


class Publisher(models.Model):
    name = models.CharField(max_length=200, unique=True)
    version = models.CharField(max_length=256, blank=True, default="")
    date = models.DateTimeField(default=timezone.now)
    path = models.CharField(max_length=512, blank=True, default="")
    global_meta = models.JSONField(default=dict, blank=True)


class ContentUpload(models.Model):
    file_path = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=255, blank=True, default="")
    meta = models.JSONField(default=dict, blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, null=True, related_name="uploads")
    source = models.CharField(max_length=512, blank=True, default="")
    timestamp = models.DateTimeField(default=timezone.now)


class Content(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="contents")
    contentupload = models.ForeignKey(ContentUpload, on_delete=models.CASCADE, related_name="contents")
    file = models.CharField(max_length=255, blank=True, default="")
    path = models.CharField(max_length=255, blank=True, default="")
    meta = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
