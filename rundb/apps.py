from django.apps import AppConfig


class RundbConfig(AppConfig):
    name = "rundb"
    verbose_name = "Torrent Server run database"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        # API keys for new users and the ionusers group after migrate.
        from rundb.api import signals  # noqa: F401
        from rundb.paths import connect

        connect()  # names that become file/folder names are checked before every save
