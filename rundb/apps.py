from django.apps import AppConfig


class RundbConfig(AppConfig):
    name = "rundb"
    verbose_name = "Torrent Server run database"
    default_auto_field = "django.db.models.AutoField"
