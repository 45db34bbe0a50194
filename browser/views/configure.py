"""Configure pages: Plugins, Account, Services, References."""
from pathlib import Path

from django.shortcuts import render

from rundb.models import Plugin

from ..access import page
from .common import render_page


def plugin_rows():
    return list(Plugin.objects.filter(active=True).order_by("name", "-date"))


@page()
def plugins_page(request):
    ctx = {"plugins": plugin_rows(), "is_admin": request.user.is_superuser}
    if request.GET.get("fragment"):
        return render(request, "browser/plugins_rows.html", ctx)
    return render_page(request, "browser/plugins.html", ctx, tab="configure", title="Plugins")


# ------------------------------------------------------------------ Account

@page()
def account_page(request):
    from rundb.api.keys import issue_key
    from tastypie.models import ApiKey

    new_key = ""
    if request.method == "POST" and request.POST.get("action") == "regenerate":
        new_key = issue_key(request.user)
    key = ApiKey.objects.filter(user=request.user).first()
    return render_page(request, "browser/account.html", {"key": key, "new_key": new_key}, tab="configure",
                       title="Account")


# ------------------------------------------------------------------ Services

@page()
def services_page(request):
    from rundb.models import AnalysisJob, JobState, PluginResultJob

    from .health import grid_queues, job_service_running, queue_counts

    analysis = list(AnalysisJob.objects.filter(state__in=JobState.ACTIVE).select_related("result")
                    .order_by("created")[:200])
    plugins = list(PluginResultJob.objects.filter(state__in=JobState.ACTIVE)
                   .select_related("plugin_result__plugin", "plugin_result__result").order_by("created")[:200])
    queues, queue_error = grid_queues() if request.GET.get("queues") != "0" else ([], "")
    return render_page(request, "browser/services.html", {
        "service_running": job_service_running(), "counts": queue_counts(), "analysis_jobs": analysis,
        "plugin_jobs": plugins, "queues": queues, "queue_error": queue_error,
    }, tab="configure", title="Services")


@page()
def terminate_analysis(request, pk):
    """POST /configure/services/controljob/<pk>/term: ask the job service to cancel an analysis."""
    from django.http import JsonResponse

    from rundb.models import AnalysisJob, JobState

    if request.method != "POST":
        return JsonResponse({"error": "Use POST"}, status=405)
    if not request.user.has_perm("rundb.change_analysisjob") and not request.user.is_superuser:
        return JsonResponse({"error": "You may not terminate analysis jobs."}, status=403)
    changed = AnalysisJob.objects.filter(pk=pk, state__in=JobState.ACTIVE).update(cancel_requested=True)
    if not changed:
        return JsonResponse({"error": f"No active analysis job {pk}"}, status=404)
    return JsonResponse({"job": pk, "cancel_requested": True}, status=202)


# ------------------------------------------------------------------ References

@page()
def references_page(request):
    from django.http import JsonResponse

    from rundb.models import ReferenceGenome

    rows = list(ReferenceGenome.objects.order_by("short_name"))
    if request.GET.get("format") == "json":
        return JsonResponse({"references": [{"short_name": r.short_name, "name": r.name, "status": r.status,
                                             "error": r.verbose_error} for r in rows]})
    return render_page(request, "browser/references.html", {"references": rows}, tab="configure",
                       title="References")


@page()
def reference_upload(request):
    """POST /configure/references/upload/ (multipart: reference_file, short_name, name): the
    FASTA is staged and a Celery task (pipeline.tasks.build_reference) indexes it; the page
    follows the row's status (queued, indexing, complete or error)."""
    import tempfile

    from django.conf import settings
    from django.db import transaction
    from django.http import JsonResponse

    from pipeline.references import SHORT_NAME_RE
    from pipeline.tasks import build_reference
    from rundb.models import ReferenceGenome

    if request.method != "POST":
        return JsonResponse({"error": "Use POST"}, status=405)
    if not request.user.is_superuser:
        return JsonResponse({"error": "Only administrators add references."}, status=403)
    errors = {}
    short = request.POST.get("short_name", "").strip()
    name = request.POST.get("name", "").strip()
    upload = request.FILES.get("reference_file")
    if not SHORT_NAME_RE.match(short):
        errors["short_name"] = "Use letters, digits, '_', '.', '-' (up to 100, not starting with a symbol)."
    elif ReferenceGenome.objects.filter(short_name=short).exists():
        errors["short_name"] = f"A reference named {short} is already installed."
    if upload is None:
        errors["reference_file"] = "Choose a FASTA file (.fasta, .fa, optionally .gz or .zip)."
    if errors:
        return JsonResponse({"error": errors}, status=400)
    scratch = Path(getattr(settings, "VAR_DIR", tempfile.gettempdir())) / "uploads"
    scratch.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="reference-", dir=scratch))  # never under /output
    target = staging / Path(upload.name).name
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    # The row exists at once ("queued"), so the list shows it while the worker builds the index.
    row = ReferenceGenome.objects.create(short_name=short, name=name or short, status="queued", source=upload.name)
    args = [short, str(target), name or short, str(staging)]

    def send():
        task = build_reference.apply_async(args=args)
        ReferenceGenome.objects.filter(pk=row.pk, celery_task_id="").update(celery_task_id=task.id[:60])

    transaction.on_commit(send)  # the worker must see the row
    return JsonResponse({"short_name": short, "status": "queued"}, status=202)
