from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """Run ingest, analysis, simulation and reference genomes (models live in rundb/models/)."""

    name = "pipeline"
    verbose_name = "Torrent Server analysis pipeline"

    def ready(self):
        from sge.jobkinds import register_kind

        from .jobkinds import AnalysisJobKind

        register_kind(AnalysisJobKind())
