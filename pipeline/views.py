"""Re-analyse API (thin views over pipeline.analysis_launch).

    POST /rundb/api/v1/results/<pk>/reanalyze/      another report of that report's run
    POST /rundb/api/v1/experiment/<pk>/reanalyze/   another report of the run

Body (optional JSON): {"name": "<report name>"}. Answer 202 with the new report and its
queued analysis job; the job service runs it. Needs authentication (session, Basic, ApiKey)
and the `rundb.add_results` permission; a plugin's per-run key may not start analyses.
"""
import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from rundb.api.auth import authenticate_request, plugin_result_from_request, unauthorized_response
from rundb.models import Experiment, Results

from .analysis_launch import AnalysisLaunchError, launch_reanalysis

API = "/rundb/api/v1"
PERMISSION = "rundb.add_results"


def _error(status, message):
    return JsonResponse({"error": message}, status=status)


def _authorise(request):
    user = authenticate_request(request)
    if user is None:
        return unauthorized_response()
    if plugin_result_from_request(request) is not None:
        return _error(403, "A plugin key cannot start analyses.")
    if not user.has_perm(PERMISSION):
        return _error(403, f"You do not have permission to do this (needs {PERMISSION}).")
    return None


def _report_name(request):
    if not request.body:
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("The request body must be a JSON object")
    name = body.get("name")
    if name in (None, ""):
        return None
    if not isinstance(name, str) or len(name) > 200:
        raise ValueError("'name' must be a string of at most 200 characters")
    return name


def _reanalyse(request, experiment):
    try:
        name = _report_name(request)
    except ValueError as exc:
        return _error(400, str(exc))
    try:
        result, job = launch_reanalysis(experiment, name=name)
    except AnalysisLaunchError as exc:
        return _error(409, str(exc))
    return JsonResponse({
        "id": result.pk,
        "resultsName": result.resultsName,
        "status": result.status,
        "reportLink": result.reportLink,
        "resource_uri": f"{API}/results/{result.pk}/",
        "experiment": f"{API}/experiment/{experiment.pk}/",
        "job": {"id": job.pk, "state": job.state},
    }, status=202)


def _guard(request):
    if request.method != "POST":
        response = _error(405, "Method not allowed; use POST")
        response["Allow"] = "POST"
        return response
    return _authorise(request)


@csrf_exempt
def results_reanalyze(request, pk):
    denied = _guard(request)
    if denied:
        return denied
    result = Results.objects.select_related("experiment").filter(pk=pk).first()
    if result is None:
        return _error(404, f"No report with id {pk}")
    if result.experiment is None:
        return _error(409, f"Report {pk} has no experiment to analyse")
    return _reanalyse(request, result.experiment)


@csrf_exempt
def experiment_reanalyze(request, pk):
    denied = _guard(request)
    if denied:
        return denied
    experiment = Experiment.objects.filter(pk=pk).first()
    if experiment is None:
        return _error(404, f"No experiment with id {pk}")
    return _reanalyse(request, experiment)
