"""Per-report metric rows; each carries its report URI (filter with ``?report=<result id>``)."""
from tastypie import fields

from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics, TFMetrics

from ..base import IonMeta, IonResource

RESULTS = "rundb.api.resources.results.ResultsResource"


class LibMetricsResource(IonResource):
    report = fields.ToOneField(RESULTS, "report")

    class Meta(IonMeta):
        queryset = LibMetrics.objects.all()
        resource_name = "libmetrics"


class QualityMetricsResource(IonResource):
    report = fields.ToOneField(RESULTS, "report")

    class Meta(IonMeta):
        queryset = QualityMetrics.objects.all()
        resource_name = "qualitymetrics"


class AnalysisMetricsResource(IonResource):
    report = fields.ToOneField(RESULTS, "report")

    class Meta(IonMeta):
        queryset = AnalysisMetrics.objects.all()
        resource_name = "analysismetrics"


class TFMetricsResource(IonResource):
    report = fields.ToOneField(RESULTS, "report")

    class Meta(IonMeta):
        queryset = TFMetrics.objects.all()
        resource_name = "tfmetrics"
