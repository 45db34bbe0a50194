"""Request and response shapes of the pipeline app's plain API views (pipeline/views.py), keyed by
URL name (pipeline/urls.py); read by rundb/api/openapi.py (see plugin/api/shapes.py)."""

REANALYSIS = {
    "body": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 200}}},
    "responses": {202: {"type": "object", "required": ["id", "resultsName", "job"], "properties": {
        "id": {"type": "integer"}, "resultsName": {"type": "string"}, "status": {"type": "string"},
        "reportLink": {"type": "string"}, "resource_uri": {"type": "string"}, "experiment": {"type": "string"},
        "job": {"type": "object", "properties": {"id": {"type": "integer"}, "state": {"type": "string"}}}}}},
}

SHAPES = {
    "results-reanalyze": {"permission": "rundb.add_results", "methods": {"post": {
        "summary": "Start another analysis of this report's run", **REANALYSIS}}},
    "experiment-reanalyze": {"permission": "rundb.add_results", "methods": {"post": {
        "summary": "Start another analysis of the run", **REANALYSIS}}},
}
