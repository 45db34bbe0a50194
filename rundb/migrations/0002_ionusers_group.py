"""The `ionusers` group with the original's model grants (see rundb/api/permissions.py)."""
from django.db import migrations


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; make sure ours exist now.
    app_config = apps.get_app_config("rundb")
    app_config.models_module = True  # the migration-state stub lacks it; create_permissions checks it
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    from rundb.api.permissions import ensure_ionusers_group

    ensure_ionusers_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="ionusers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rundb", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
