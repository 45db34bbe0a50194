from django.apps import AppConfig


class SgeConfig(AppConfig):
    """The generic job runner: submits, polls and reconciles grid jobs of the registered kinds
    (sge/jobkinds.py); knows nothing of the apps that register them."""

    name = "sge"
    verbose_name = "Torrent Server job service"
