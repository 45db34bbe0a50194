from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rundb", "0002_ionusers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="pluginresultjob",
            name="session",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
    ]
