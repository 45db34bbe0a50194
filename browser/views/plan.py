"""Plan: templates (/plan/plan_templates/), plan a run from a template
(/plan/page_plan_new_plan/<id>/, edit: /plan/page_plan_edit_plan/<id>/), planned runs
(/plan/planned/) and the review dialog (/plan/reviewplan/<id>/).

A LIMS hands a prepared plan to the wizard by storing it (POST
/rundb/api/v1/prepopulatedplanningsession/) and opening a new-plan page with
``?prepopulated-planning-session=<id>``: the wizard starts from those values, and once the
plan is saved it discards the session and goes to the session's ``redirect_url`` (a URL on
this server only).

Plans are created and changed through the REST API from the page's script
(POST/PATCH /rundb/api/v1/plannedexperiment/), so the page shows exactly the API's
validation messages, field by field.
"""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from rundb.api.resources.planning_session import live_session, session_id
from rundb.models import (ApplicationGroup, Chip, Content, ExperimentAnalysisSettings, KitInfo, PlannedExperiment, Plugin,
                          Project, QCType, ReferenceGenome, RunType, dnaBarcode)

from ..access import page
from .common import paged, render_page

PER_PAGE = 20


def _eas_prefetch():
    return Prefetch("experiment__eas_set", queryset=ExperimentAnalysisSettings.objects.order_by("-pk"))


def _plan_rows(qs):
    rows = []
    for plan in qs:
        exp = getattr(plan, "experiment", None)
        eas = exp.eas_set.all()[0] if exp is not None and exp.eas_set.all() else None
        samples = [s.displayedName or s.name for s in exp.samples.all()] if exp is not None else []
        rows.append({"plan": plan, "eas": eas, "samples": samples,
                     "reference": (eas.reference if eas else "") or "",
                     "barcodes": (eas.barcodeKitName if eas else "") or plan.barcodeId or ""})
    return rows


@page()
def plan_root(request):
    return redirect("/plan/plan_templates/")


@page()
def templates_page(request):
    qs = (PlannedExperiment.objects.filter(isReusable=True).select_related("experiment")
          .prefetch_related(_eas_prefetch(), "experiment__samples").order_by("-date", "-pk"))
    text = request.GET.get("planName", "").strip()
    if text:
        qs = qs.filter(planDisplayedName__icontains=text) | qs.filter(planName__icontains=text)
    page_obj, query = paged(request, qs, PER_PAGE)
    return render_page(request, "browser/plan_templates.html", {
        "rows": _plan_rows(page_obj.object_list), "page_obj": page_obj, "query": query, "text": text,
    }, tab="plan", title="Templates")


def _barcode_kits():
    kits = {}
    for name, id_str in dnaBarcode.objects.order_by("name", "index").values_list("name", "id_str"):
        kits.setdefault(name, []).append(id_str)
    return kits


SESSION_PARAM = "prepopulated-planning-session"
# The original's wizard steps named some fields differently from the plan API (its sessions
# hold {"step_helper": {step: {field: value}}, "redirect_url": url}).
STEP_FIELD_NAMES = {"templatekitname": "templatingKitName", "reference": "library", "targetBedFile": "bedfile",
                    "hotSpotBedFile": "regionfile", "note": "notes", "sequencekit": "sequencekitname",
                    "controlsequence": "controlSequencekitname", "samplePreparationKit": "samplePrepKitName"}


def prepopulated(request):
    """{"id", "values", "redirect"} of the prepared plan named in the query, {"error": message}
    when it is not there (expired, someone else's, not an id), or None when none is named.
    Values are plan API fields: the session's own keys, over the original's step_helper fields."""
    raw = request.GET.get(SESSION_PARAM)
    if raw is None:
        return None
    pk = session_id(raw)
    session = live_session(pk, request.user) if pk else None
    if session is None:
        return {"error": "The prepared plan was not found or has expired; nothing was filled in."}
    data = session.data if isinstance(session.data, dict) else {}
    values = {}
    for fields in (data.get("step_helper") or {}).values():
        if isinstance(fields, dict):
            values.update({STEP_FIELD_NAMES.get(k, k): v for k, v in fields.items()})
    values.update({k: v for k, v in data.items() if k not in ("step_helper", "redirect_url")})
    target = data.get("redirect_url")
    safe = isinstance(target, str) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return {"id": pk, "values": values, "redirect": target if safe else ""}


WIZARD_STEPS = [("application", "Application"), ("kits", "Kits"), ("monitoring", "Monitoring"),
                ("reference", "Reference"), ("plugins", "Plugins"), ("output", "Output"), ("plan", "Plan")]


def _wizard(request, plan, mode):
    """The planning wizard: one page whose steps the script shows one at a time; the plan is
    saved once, through the API, and its validation messages go back to the step they concern."""
    plugins = list(Plugin.objects.filter(active=True, selected=True).order_by("name")
                   .values("id", "name", "version", "isPlanConfig", "defaultSelected"))
    references = list(ReferenceGenome.objects.filter(enabled=True).order_by("short_name")
                      .values_list("short_name", "name"))
    kits = {"chips": list(Chip.objects.filter(isActive=True).order_by("name").values_list("name", "description"))}
    for key, types in (("templating", ("TemplatingKit", "IonChefPrepKit")), ("sequencing", ("SequencingKit",)),
                       ("library", ("LibraryKit", "LibraryPrepKit")), ("sampleprep", ("SamplePrepKit",)),
                       ("control", ("ControlSequenceKit",))):
        kits[key] = list(KitInfo.objects.filter(kitType__in=types, isActive=True).order_by("description")
                         .values_list("name", "description"))
    groups = list(ApplicationGroup.objects.filter(isActive=True).order_by("pk").values("id", "name", "description"))
    run_types = []
    for rt in RunType.objects.filter(isActive=True).prefetch_related("applicationGroups").order_by("pk"):
        run_types.append({"runType": rt.runType, "label": rt.description or rt.alternate_name or rt.runType,
                          "groups": " ".join(str(g.pk) for g in rt.applicationGroups.all())})
    bedfiles = sorted({c.path or c.file for c in Content.objects.only("path", "file")
                       if (c.path or c.file).lower().endswith((".bed", ".bed.gz"))})
    steps = WIZARD_STEPS[:-1] + [("plan", "Save" if mode == "edit" else "Plan")]
    return render_page(request, "browser/plan_run.html", {
        "plan": plan, "mode": mode, "plugins": plugins, "references": references,
        "barcode_kits": _barcode_kits(), "kits": kits, "groups": groups, "run_types": run_types,
        "qc_types": list(QCType.objects.order_by("pk")), "bedfiles": bedfiles, "steps": steps,
        "projects": list(Project.objects.order_by("name").values_list("name", flat=True)),
        # From a template or an existing plan the wizard opens on its last step (the rest is chosen).
        "first_step": "application" if mode == "scratch" else "plan",
        "prepopulated": prepopulated(request) if mode != "edit" else None,
    }, tab="plan", title="Edit Plan" if mode == "edit" else "Plan Run")


@page()
def new_plan_from_scratch(request, code=0):
    """Plan New Run without a template: the form also asks for chip and kits."""
    return _wizard(request, None, "scratch")


@page()
def new_plan_page(request, template_id):
    template = get_object_or_404(PlannedExperiment, pk=template_id, isReusable=True)
    return _wizard(request, template, "new")


@page()
def edit_plan_page(request, plan_id):
    plan = get_object_or_404(PlannedExperiment, pk=plan_id, isReusable=False)
    return _wizard(request, plan, "edit")


@page()
def planned_page(request):
    qs = (PlannedExperiment.objects.filter(isReusable=False, planExecuted=False).select_related("experiment")
          .prefetch_related(_eas_prefetch(), "experiment__samples").order_by("-date", "-pk"))
    text = request.GET.get("search", "").strip()
    if text:
        qs = qs.filter(planDisplayedName__icontains=text) | qs.filter(planShortID__iexact=text)
    page_obj, query = paged(request, qs, PER_PAGE)
    try:
        highlight = int(request.GET.get("highlight", "0"))
    except ValueError:
        highlight = 0
    return render_page(request, "browser/planned.html", {
        "rows": _plan_rows(page_obj.object_list), "page_obj": page_obj, "query": query,
        "highlight": highlight, "search": text,
    }, tab="plan", title="Planned Runs")


@page()
def review_plan(request, plan_id):
    plan = get_object_or_404(PlannedExperiment.objects.select_related("experiment")
                             .prefetch_related(_eas_prefetch()), pk=plan_id)
    row = _plan_rows([plan])[0]
    eas = row["eas"]
    barcoded = (eas.barcodedSamples if eas else None) or {}
    samples = []
    for name, info in sorted(barcoded.items()):
        for bc in (info or {}).get("barcodes", []):
            samples.append({"barcode": bc, "sample": name})
    samples.sort(key=lambda s: s["barcode"])
    plugins = sorted(((eas.selectedPlugins if eas else None) or plan.selectedPlugins or {}).keys())
    return render(request, "browser/review_plan.html", {"plan": plan, "row": row, "samples": samples,
                                                        "plugins": plugins})
