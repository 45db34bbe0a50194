"""Re-analyse API (thin views over pipeline.analysis_launch).

    POST /rundb/api/v1/results/<pk>/reanalyze/      another report of that report's run
    POST /rundb/api/v1/experiment/<pk>/reanalyze/   another report of the run

Body (optional JSON): {"name": "<report name>"}. Answer 202 with the new report and its
queued analysis job; the job service runs it. Needs authentication (session, Basic, ApiKey)
and the `rundb.add_results` permission; a plugin's per-run key may not start analyses
(rundb.api.endpoint does authentication, method, permission and the JSON body).
"""
from django.http import JsonResponse

from rundb.api.endpoint import endpoint, error
from rundb.models import Experiment, Results

from .analysis_launch import AnalysisLaunchError, launch_reanalysis

API = "/rundb/api/v1"
PERMISSION = "rundb.add_results"


def _report_name(body):
    name = body.get("name")
    if name in (None, ""):
        return None
    if not isinstance(name, str) or len(name) > 200:
        raise ValueError("'name' must be a string of at most 200 characters")
    return name


def _reanalyse(request, experiment):
    try:
        name = _report_name(request.json_body)
    except ValueError as exc:
        return error(400, str(exc))
    try:
        result, job = launch_reanalysis(experiment, name=name)
    except AnalysisLaunchError as exc:
        return error(409, str(exc))
    return JsonResponse({
        "id": result.pk,
        "resultsName": result.resultsName,
        "status": result.status,
        "reportLink": result.reportLink,
        "resource_uri": f"{API}/results/{result.pk}/",
        "experiment": f"{API}/experiment/{experiment.pk}/",
        "job": {"id": job.pk, "state": job.state},
    }, status=202)


reanalyze = endpoint(PERMISSION, methods=("POST",), json_body=True, allow_plugin_key=False)


@reanalyze
def results_reanalyze(request, pk):
    result = Results.objects.select_related("experiment").filter(pk=pk).first()
    if result is None:
        return error(404, f"No report with id {pk}")
    if result.experiment is None:
        return error(409, f"Report {pk} has no experiment to analyse")
    return _reanalyse(request, result.experiment)


@reanalyze
def experiment_reanalyze(request, pk):
    experiment = Experiment.objects.filter(pk=pk).first()
    if experiment is None:
        return error(404, f"No experiment with id {pk}")
    return _reanalyse(request, experiment)
