"""rundb.install_plugin (administrators only) and the ionusers group without add/delete_plugin."""
from django.db import migrations


def update_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("rundb")
    app_config.models_module = True  # the migration-state stub lacks it; create_permissions checks it
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    from rundb.api.permissions import ensure_ionusers_group

    ensure_ionusers_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("rundb", "0002_ionusers_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="plugin",
            options={"permissions": [("install_plugin", "Can install, upgrade, uninstall and rescan plugins")]},
        ),
        migrations.RunPython(update_group, migrations.RunPython.noop),
    ]
