"""Ion Chef run facts on Experiment: the reagent / solution cartridge serials (indexed, for
the cartridge-usage filters), start / end time, remaining seconds, workflow and mode."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rundb', '0007_pluginkey_hash'),
    ]

    operations = [
        migrations.AddField(
            model_name='experiment',
            name='chefEndTime',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefFlexibleWorkflow',
            field=models.CharField(blank=True, default='', max_length=128),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefOperationMode',
            field=models.CharField(blank=True, default='', max_length=128),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefProtocolDeviationName',
            field=models.CharField(blank=True, default='', max_length=128),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefReagentsSerialNum',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefRemainingSeconds',
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefSolutionsSerialNum',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='experiment',
            name='chefStartTime',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
