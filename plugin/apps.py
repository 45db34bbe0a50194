from django.apps import AppConfig


class PluginConfig(AppConfig):
    """Plugins: install from zip, launch on reports, results (models live in rundb/models/plugin.py)."""

    name = "plugin"
    verbose_name = "Torrent Server plugins"

    def ready(self):
        from rundb.api.api import register_resource
        from sge.jobkinds import on_service_start, register_kind

        from . import precompile
        from .api.resources import RESOURCES
        from .jobkinds import PluginJobKind
        from .services.scratch import clean_at_start

        for resource in RESOURCES:
            register_resource(resource)
        register_kind(PluginJobKind())
        on_service_start(precompile)  # the SDK every plugin job imports, compiled once
        on_service_start(clean_at_start)  # what an install interrupted by the last stop left behind
