"""Installed plugins, their runs on a report (PluginResult) and the grid jobs of each run."""
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from .jobs import GridJob


class Plugin(models.Model):
    name = models.CharField(max_length=512, db_index=True)
    version = models.CharField(max_length=256)
    date = models.DateTimeField(default=timezone.now)
    selected = models.BooleanField(default=False)
    path = models.CharField(max_length=512, blank=True, default="")
    script = models.CharField(max_length=256, blank=True, default="")
    active = models.BooleanField(default=True)
    url = models.URLField(max_length=256, blank=True, default="")
    status = models.JSONField(default=dict, blank=True, null=True)
    # Global plugin configuration (config.html), carried over on upgrade.
    config = models.JSONField(default=dict, blank=True, null=True)
    # {runtypes, runlevels, depends, features} discovered from the plugin.
    pluginsettings = models.JSONField(default=dict, blank=True, null=True)
    majorBlock = models.BooleanField(default=False)
    description = models.TextField(blank=True, default="")
    userinputfields = models.JSONField(default=dict, blank=True, null=True)
    packageName = models.CharField(max_length=256, blank=True, default="")
    defaultSelected = models.BooleanField(default=False)
    isConfig = models.BooleanField(default=False)
    isInstance = models.BooleanField(default=False)
    isPlanConfig = models.BooleanField(default=False)
    hasAbout = models.BooleanField(default=False)
    isSupported = models.BooleanField(default=False)
    # Everything `--inspect` printed, for startplugin.json and the UI.
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="plugin_name_version")]
        indexes = [models.Index(fields=["active", "name"])]
        # Installing runs the plugin's code as the server: an administrator's right (not ionusers').
        permissions = [("install_plugin", "Can install, upgrade, uninstall and rescan plugins")]

    def __str__(self):
        return f"{self.name} ({self.version})"

    @property
    def versionedName(self):
        return f"{self.name}--v{self.version}"


def new_api_key():
    return secrets.token_hex(20)


class PluginResult(models.Model):
    """One run of a plugin on a report; owns the output folder plugin_out/<Name>_out.<pk>."""

    # PROTECT: a plugin's runs are report history; uninstalling deactivates the plugin instead.
    plugin = models.ForeignKey(Plugin, on_delete=models.PROTECT, related_name="pluginresult_set")
    result = models.ForeignKey("rundb.Results", on_delete=models.CASCADE, related_name="pluginresults")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pluginresults")
    store = models.JSONField(default=dict, blank=True)
    config = models.JSONField(default=dict, blank=True)
    endtime = models.DateTimeField(null=True, blank=True)
    starttime = models.DateTimeField(null=True, blank=True)
    size = models.BigIntegerField(default=-1)
    inodes = models.BigIntegerField(default=-1)
    # Per-run key the job uses to call back (pluginresult=<pk>&api_key=<key>).
    apikey = models.CharField(max_length=256, null=True, blank=True)
    validation_errors = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.plugin.name} on {self.result_id}"

    def regenerate_apikey(self):
        self.apikey = new_api_key()
        return self.apikey

    @property
    def output_dirname(self):
        return f"{self.plugin.name}_out.{self.pk}"


class PluginResultJob(GridJob):
    plugin_result = models.ForeignKey(PluginResult, on_delete=models.CASCADE, related_name="plugin_result_jobs")
    run_level = models.CharField(max_length=128, default="default")
    config = models.JSONField(default=dict, blank=True)
    # Jobs this one must wait for (plugin `depends`, LAST); turned into -hold_jid at submit time.
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    # Launch session: the pipeline run of a report, or one manual launch request (which may
    # name several plugins). LAST and EXPORT jobs wait only for jobs of their own session.
    session = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state"])]
