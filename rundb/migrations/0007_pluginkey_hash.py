"""Plugin keys are stored hashed: PluginResultJob.apikey_hash, and existing plaintext
PluginResult.apikey values replaced by their hash (copied to the run's active jobs so jobs
running across the upgrade can still call back)."""
import hashlib

from django.db import migrations, models

PREFIX = "sha256$"
ACTIVE = ("Pending", "Queued", "Started")


def hash_existing(apps, schema_editor):
    PluginResult = apps.get_model("rundb", "PluginResult")
    PluginResultJob = apps.get_model("rundb", "PluginResultJob")
    for pr in PluginResult.objects.exclude(apikey__isnull=True).exclude(apikey="").exclude(apikey__startswith=PREFIX):
        digest = PREFIX + hashlib.sha256(pr.apikey.encode("utf-8")).hexdigest()
        PluginResult.objects.filter(pk=pr.pk).update(apikey=digest)
        PluginResultJob.objects.filter(plugin_result_id=pr.pk, state__in=ACTIVE).update(apikey_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("rundb", "0006_api_resources"),
    ]

    operations = [
        migrations.AddField(
            model_name="pluginresultjob",
            name="apikey_hash",
            field=models.CharField(blank=True, default="", max_length=80),
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
    ]
