from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rundb", "0004_pluginresult_protect"),
    ]

    operations = [
        migrations.AddField(
            model_name="pluginresultjob",
            name="session",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
    ]
