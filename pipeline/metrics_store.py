"""Write a report's metric rows (LibMetrics, QualityMetrics, AnalysisMetrics, TFMetrics).

`store_metrics(result, metrics)` takes the dictionaries `run_stages` returns (keyed by our
Django field names) and makes the report's rows exactly those: in one transaction, with the
report row locked, the old rows are deleted and the new ones created. Running an analysis
again therefore replaces its rows and never duplicates them, and a failure half-way leaves
the previous rows in place.

Values: `None` means "the input this value needs is absent"; it is stored as NULL where the
column allows it and as the column's default (0 / "") otherwise. Keys that are not fields
of the model are ignored (logged once per call), so a newer stage may add keys safely.
"""
import logging
import math

from django.db import transaction

from rundb.models import AnalysisMetrics, LibMetrics, QualityMetrics, Results, TFMetrics

log = logging.getLogger(__name__)

# metrics-dict key -> model; each holds one dict (TFMetrics: a list of dicts, one per TF).
SINGLE_ROW_TABLES = {
    "libmetrics": LibMetrics,
    "qualitymetrics": QualityMetrics,
    "analysismetrics": AnalysisMetrics,
}
TF_TABLE = "tfmetrics"


def _plain(value):
    """numpy scalars -> Python scalars; NaN/inf -> None (neither fits a SQL number column)."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def row_values(model, values):
    """{field: value} for `model` from a metrics dict: unknown keys dropped, None mapped."""
    fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key and f.name != "report"}
    out, unknown = {}, []
    for key, value in (values or {}).items():
        field = fields.get(key)
        if field is None:
            unknown.append(key)
            continue
        value = _plain(value)
        if value is None and not field.null:
            value = field.get_default()
        out[key] = value
    if unknown:
        log.debug("%s: ignoring keys that are not fields: %s", model.__name__, ", ".join(sorted(unknown)))
    return out


def store_metrics(result, metrics):
    """Replace the metric rows of `result` with `metrics`; returns {table: [row pks]}.

    `metrics` = {"libmetrics": dict | None, "qualitymetrics": dict | None,
    "analysismetrics": dict | None, "tfmetrics": [dict, ...]}. A table whose entry is None
    or missing ends with no row (its input was absent), so a re-run without bead-find stats
    does not keep stale AnalysisMetrics.
    """
    metrics = metrics or {}
    written = {}
    with transaction.atomic():
        # Serialise writers of the same report (a re-run racing a late first run).
        Results.objects.select_for_update().filter(pk=result.pk).values_list("pk", flat=True).first()
        for name, model in SINGLE_ROW_TABLES.items():
            model.objects.filter(report=result).delete()
            values = metrics.get(name)
            if values is None:
                written[name] = []
                continue
            written[name] = [model.objects.create(report=result, **row_values(model, values)).pk]
        TFMetrics.objects.filter(report=result).delete()
        rows, seen = [], set()
        for values in metrics.get(TF_TABLE) or []:
            name = str(values.get("name") or "")
            if name in seen:  # one row per (report, TF name)
                log.warning("duplicate TF %r in metrics; keeping the first", name)
                continue
            seen.add(name)
            rows.append(TFMetrics.objects.create(report=result, **row_values(TFMetrics, values)).pk)
        written[TF_TABLE] = rows
    return written

