"""Ingest one run folder: Experiment (+ plan, analysis settings, Rig) from its explog.

`ingest_run_folder` is idempotent: the Experiment's key is the folder path (`unique`), every
field is compared before it is written, `ftpStatus` only moves forward, and an automatic
report is created at most once per run. Bad input never raises: the outcome says why.
"""
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from rundb.models import (
    Chip,
    Experiment,
    ExperimentAnalysisSettings,
    GlobalConfig,
    LibraryKey,
    Location,
    PlannedExperiment,
    Project,
    Rig,
    Sample,
    new_plan_short_id,
)

from rundb.plan_defaults import plan_plugins

from ..analysis_launch import auto_report_name, create_report, start_analysis
from .explog import EXPLOG, EXPLOG_FINAL, DEFAULT_FLOW_ORDER, ExplogError, read_explog, strip_folder_date
from .mapping import derive_run_info, flows_and_cycles
from .transfer import FINISHED, advance, transfer_state

logger = logging.getLogger(__name__)

MAX_FOLDER_KEY = Experiment._meta.get_field("unique").max_length
AUTO_MARKER = "autoAnalysisStarted"  # Experiment.metaData key: an auto report was started once
DEFAULT_PLAN_ORIGIN = "crawler"  # the plan made for a run nobody planned

CREATED, UPDATED, UNCHANGED, SKIPPED, ERROR = "created", "updated", "unchanged", "skipped", "error"


@dataclass
class IngestOutcome:
    folder: str
    action: str
    experiment_id: int | None = None
    ftpStatus: str = ""
    result_id: int | None = None
    reason: str = ""
    warnings: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def run_folder_key(path):
    """The `unique`/`expDir` of a run folder: absolute, normalised, symlinks kept."""
    return os.path.abspath(os.path.normpath(str(path)))


def has_explog(folder):
    folder = Path(folder)
    return (folder / EXPLOG).is_file() or (folder / EXPLOG_FINAL).is_file()


def ingest_run_folder(path, *, auto_analysis=True) -> IngestOutcome:
    """Create or update the Experiment of run folder `path`; maybe start its auto report."""
    key = run_folder_key(path)
    folder = Path(key)
    if not folder.is_dir():
        return IngestOutcome(key, SKIPPED, reason="not a directory")
    if not has_explog(folder):
        return IngestOutcome(key, SKIPPED, reason=f"no {EXPLOG} yet")
    if len(key) > MAX_FOLDER_KEY:
        return IngestOutcome(key, ERROR, reason=f"run folder path longer than {MAX_FOLDER_KEY} characters")

    explog, final, warnings, reason = _read_explogs(folder)
    if explog is None:
        existing = Experiment.objects.filter(unique=key).values_list("pk", "ftpStatus").first()
        return IngestOutcome(
            key, ERROR,
            experiment_id=existing[0] if existing else None,
            ftpStatus=existing[1] if existing else "",
            reason=reason, warnings=warnings,
        )
    try:
        with transaction.atomic():
            outcome = _ingest(folder, explog, final, auto_analysis=auto_analysis)
    except IntegrityError:
        # Another crawler created the row between our lookup and insert: take its result.
        with transaction.atomic():
            outcome = _ingest(folder, explog, final, auto_analysis=auto_analysis)
    outcome.warnings = warnings + outcome.warnings
    return outcome


def _read_explogs(folder):
    """(explog to take values from, parsed explog_final or None, warnings, failure reason)."""
    warnings = []
    parsed = {}
    errors = {}
    for name in (EXPLOG_FINAL, EXPLOG):
        if not (folder / name).is_file():
            continue
        try:
            parsed[name] = read_explog(folder / name).require()
        except ExplogError as exc:
            errors[name] = exc
            try:  # keep a garbled explog_final for its WARNINGS lines even if keys are missing
                parsed.setdefault(f"raw:{name}", read_explog(folder / name))
            except ExplogError:
                pass
    final = parsed.get(EXPLOG_FINAL) or parsed.get(f"raw:{EXPLOG_FINAL}")
    chosen = parsed.get(EXPLOG_FINAL) or parsed.get(EXPLOG)
    for name, exc in errors.items():
        if chosen is not None:
            warnings.append(f"{name} unusable ({exc}); used {chosen.source}")
    if chosen is None:
        reason = "; ".join(str(exc) for exc in errors.values()) or "no usable explog"
        return None, final, warnings, reason
    warnings.extend(f"{chosen.source}: {w}" for w in chosen.warnings)
    return chosen, final, warnings, ""


def _ingest(folder, explog, final, *, auto_analysis):
    key = str(folder)
    config = GlobalConfig.get()
    info = derive_run_info(explog, key, default_flow_order=config.default_flow_order or DEFAULT_FLOW_ORDER)
    exp = Experiment.objects.select_for_update().filter(unique=key).first()
    created = exp is None
    rig = ensure_rig(info.instrument)
    if created:
        plan, exp, template_eas = link_plan(info)
        _apply_plan_defaults(exp, plan)
        exp.date = timezone.make_aware(info.date) if timezone.is_naive(info.date) else info.date
    else:
        plan, template_eas = exp.plan, None
    changed = _update_experiment(exp, _experiment_values(exp, plan, info, explog, config, created))
    moved, missing = _update_transfer_status(exp, folder, final, info)
    changed += moved
    if created:
        exp.save()
        if rig.last_experiment != exp.expName:
            rig.last_experiment = exp.expName
            rig.save(update_fields=["last_experiment"])
    elif changed:
        exp.save(update_fields=changed)

    eas, eas_changed = apply_eas(exp, plan, info, template_eas, fill_from_plan=created,
                                 default_plugins=created and plan is not None and plan.origin == DEFAULT_PLAN_ORIGIN)
    plan_changed = apply_plan(plan, info, project_name=info.project)
    sample_changed = attach_sample(exp, info.sample, barcoded=bool(eas.barcodeKitName))

    outcome = IngestOutcome(key, CREATED if created else UNCHANGED, experiment_id=exp.pk, ftpStatus=exp.ftpStatus)
    outcome.changed = changed + [f"eas.{n}" for n in eas_changed] + [f"plan.{n}" for n in plan_changed]
    if sample_changed:
        outcome.changed.append("sample")
    if missing and exp.ftpStatus not in FINISHED:
        outcome.warnings.append("missing: " + ", ".join(missing))
    result = maybe_auto_analyse(exp, auto_analysis=auto_analysis)
    if result is not None:
        outcome.result_id = result.pk
        outcome.changed.append("results")
    if not created and outcome.changed:
        outcome.action = UPDATED
    return outcome


def _experiment_values(exp, plan, info, explog, config, created):
    """Experiment fields stated by the explog, with the plan's or site's flow order where the
    explog has none, and the platform and display name a new run gets."""
    values = dict(info.experiment)
    if not info.flow_order:  # flow order from the plan (or site default); flows/cycles follow it
        order = exp.flowsInOrder or (plan.flowsInOrder if plan else "") or config.default_flow_order or DEFAULT_FLOW_ORDER
        values["flowsInOrder"] = order
        flows, cycles = flows_and_cycles(explog, order)
        if flows is not None:
            values["flows"], values["cycles"] = flows, cycles
    values["platform"] = info.platform or exp.platform or _chip_platform(values.get("chipType") or exp.chipType) \
        or info.fallback_platform
    values["status"] = "run"
    if created and plan is not None:
        values["runMode"] = plan.runMode or exp.runMode
    if created:
        # What the run lists show: the plan's name, else the run name without its date prefix.
        values["displayName"] = (
            (plan.planDisplayedName if plan and plan.origin != "crawler" else "")
            or strip_folder_date(info.experiment["expName"]).replace("_", " ")
        )[:128]
    return values


def _update_experiment(exp, values):
    """Set the values that differ (re-crawls must not write); the names of those changed."""
    changed = []
    for name, value in values.items():
        if getattr(exp, name) != value:
            setattr(exp, name, value)
            changed.append(name)
    return changed


def _update_transfer_status(exp, folder, final, info):
    """Advance ftpStatus from what the folder holds: (['ftpStatus'] when it moved, else [],
    the files still missing)."""
    state = transfer_state(
        folder,
        final_exists=(folder / EXPLOG_FINAL).is_file(),
        final_explog=final,
        flows=exp.flows,
        tiled=exp.rawdatastyle == "tiled",
        use_prebeadfind=exp.usePreBeadfind,
        post_beadfind=info.post_beadfind,
    )
    new_status = advance(exp.ftpStatus, state.status)
    if new_status == exp.ftpStatus:
        return [], state.missing
    exp.ftpStatus = new_status
    return ["ftpStatus"], state.missing


# -- instrument -----------------------------------------------------------------------------

def default_location():
    location = Location.objects.filter(defaultlocation=True).order_by("pk").first()
    if location is None:
        location = Location.objects.order_by("pk").first()
    if location is None:
        location = Location.objects.create(name="Home", defaultlocation=True)
    return location


def ensure_rig(name):
    """The Rig named after the instrument folder, created with the default location."""
    name = (name or "unknown")[:200]
    rig = Rig.objects.filter(pk=name).first()
    if rig is None:
        rig, _ = Rig.objects.get_or_create(name=name, defaults={"location": default_location()})
    return rig


def _chip_platform(chip_type):
    if not chip_type:
        return ""
    chip = Chip.objects.filter(name=chip_type).exclude(instrumentType="").first()
    return chip.instrumentType.upper() if chip else ""


# -- plan -----------------------------------------------------------------------------------

def find_plan(info):
    """The planned run the explog names: by GUID, else by short ID (newest unused first)."""
    runs = PlannedExperiment.objects.filter(isReusable=False)
    if info.plan_guid:
        plan = runs.filter(planGUID=info.plan_guid).order_by("-pk").first()
        if plan is not None:
            return plan
    if info.plan_short_id:
        candidates = list(runs.filter(planShortID__iexact=info.plan_short_id).order_by("-pk"))
        for plan in candidates:
            exp = Experiment.objects.filter(plan=plan).first()
            if exp is None or exp.status != "run":
                return plan
        if candidates:
            return candidates[0]
    return None


def link_plan(info):
    """(plan, unsaved-or-existing Experiment, EAS to copy or None) for a newly seen run.

    A plan whose experiment has not run yet hands that Experiment row over (it becomes this
    run). A plan already used by another run is cloned, as is the system default template
    when the explog names no plan.
    """
    plan = find_plan(info)
    if plan is not None:
        planned_exp = Experiment.objects.select_for_update().filter(plan=plan).first()
        if planned_exp is None:
            return plan, Experiment(plan=plan, unique=info.folder), None
        if planned_exp.status != "run":
            planned_exp.unique = info.folder
            return plan, planned_exp, None
        # Plan re-used for a second run: give this run its own copy.
        template_eas = planned_exp.eas_set.order_by("-pk").first()
        clone = _clone_plan(plan, planName=plan.planName, origin=plan.origin)
        return clone, Experiment(plan=clone, unique=info.folder), template_eas

    template = (
        PlannedExperiment.objects.filter(isReusable=True, isSystemDefault=True, chipType=info.experiment.get("chipType", ""))
        .order_by("-pk").first()
        or PlannedExperiment.objects.filter(isReusable=True, isSystemDefault=True).order_by("-pk").first()
    )
    overrides = {
        "planName": f"CopyOfSystemDefault_{info.exp_name}"[:512],
        "planDisplayedName": f"CopyOfSystemDefault_{info.exp_name}"[:512],
        "origin": DEFAULT_PLAN_ORIGIN,
        # An unplanned run is a new plan: it gets the default-selected plugins on top of the
        # template's (rundb/plan_defaults.py); apply_eas does the same for its EAS.
        "selectedPlugins": plan_plugins(template.selectedPlugins if template is not None else {}),
    }
    if template is not None:
        template_exp = Experiment.objects.filter(plan=template).first()
        template_eas = template_exp.eas_set.order_by("-pk").first() if template_exp else None
        clone = _clone_plan(template, **overrides)
    else:
        template_eas = None
        clone = PlannedExperiment.objects.create(
            planShortID=_unused_short_id(), planGUID=str(uuid.uuid4()), planStatus="run",
            planExecuted=True, planExecutedDate=timezone.now(), **overrides,
        )
    return clone, Experiment(plan=clone, unique=info.folder), template_eas


def _unused_short_id():
    for _ in range(50):
        short = new_plan_short_id()
        if not PlannedExperiment.objects.filter(planShortID=short).exists():
            return short
    return new_plan_short_id()


def _clone_plan(plan, **overrides):
    projects = list(plan.projects.all())
    clone = PlannedExperiment.objects.get(pk=plan.pk)
    clone.pk = clone.id = None
    clone._state.adding = True
    clone.isReusable = False
    clone.isSystem = False
    clone.isSystemDefault = False
    clone.planShortID = _unused_short_id()
    clone.planGUID = str(uuid.uuid4())
    clone.planStatus = "run"
    clone.planExecuted = True
    clone.planExecutedDate = timezone.now()
    for name, value in overrides.items():
        setattr(clone, name, value)
    clone.save()
    if projects:
        clone.projects.add(*projects)
    return clone


def _apply_plan_defaults(exp, plan):
    """A new Experiment starts from what its plan says; the explog then overrides."""
    if plan is None or exp.pk is not None:
        return
    for exp_field, plan_field in (
        ("chipType", "chipType"), ("flowsInOrder", "flowsInOrder"), ("chipBarcode", "chipBarcode"),
        ("notes", "notes"), ("sequencekitname", "sequencekitname"), ("seqKitBarcode", "seqKitBarcode"),
        ("reverse_primer", "reverse_primer"), ("runMode", "runMode"), ("isReverseRun", "isReverseRun"),
    ):
        value = getattr(plan, plan_field)
        if value not in (None, ""):
            setattr(exp, exp_field, value)
    exp.autoAnalyze = plan.autoAnalyze
    exp.usePreBeadfind = plan.usePreBeadfind
    if plan.flows:
        exp.flows = plan.flows
    exp.storage_options = plan.storage_options or exp.storage_options


def apply_plan(plan, info, *, project_name=""):
    """Mark the plan executed by this run; attach the explog's project if it exists."""
    if plan is None:
        return []
    values = dict(info.plan)
    values["planStatus"] = "run"
    values["planExecuted"] = True
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, values[name])
    if plan.planExecutedDate is None:
        plan.planExecutedDate = timezone.now()
        changed.append("planExecutedDate")
    if changed:
        plan.save(update_fields=changed)
    if project_name:
        project = Project.objects.filter(name=project_name).first()
        if project is not None and not plan.projects.filter(pk=project.pk).exists():
            plan.projects.add(project)
            changed.append("projects")
    return changed


# -- analysis settings ----------------------------------------------------------------------

def _known_forward_key(sequence, default_key):
    if not sequence:
        return False
    if sequence == default_key:
        return True
    return LibraryKey.objects.filter(direction__iexact="forward", sequence__iexact=sequence).exists()


def apply_eas(exp, plan, info, template_eas=None, *, fill_from_plan=False, default_plugins=False):
    """The run's analysis settings: reuse or create, then apply the explog (changed fields).
    `default_plugins`: the run's default plan was just made; its new EAS gets the
    default-selected plugins too."""
    config = GlobalConfig.get()
    eas = exp.eas_set.order_by("-pk").first()
    changed = []
    if eas is None:
        if template_eas is not None:
            eas = ExperimentAnalysisSettings.objects.get(pk=template_eas.pk)
            eas.pk = eas.id = None
            eas._state.adding = True
            eas.experiment = exp
            eas.isEditable = True
            eas.date = timezone.now()
            eas.save()
        else:
            eas = ExperimentAnalysisSettings.objects.create(experiment=exp, isEditable=True, date=timezone.now())
        fill_from_plan = True
        changed.append("created")
    if fill_from_plan and plan is not None:
        from_plan = {
            "barcodeKitName": plan.barcodeId,
            "reference": plan.library,
            "libraryKey": plan.libraryKey,
            "tfKey": plan.tfKey,
            "selectedPlugins": plan.selectedPlugins,
            "barcodedSamples": plan.barcodedSamples,
            "threePrimeAdapter": plan.forward3primeadapter,
            "libraryKitName": plan.librarykitname,
            "targetRegionBedFile": plan.bedfile,
            "hotSpotRegionBedFile": plan.regionfile,
        }
        for name, value in from_plan.items():
            if value not in (None, "", {}, []) and getattr(eas, name) in (None, "", {}, []):
                setattr(eas, name, value)
                changed.append(name)
    if default_plugins and "created" in changed:
        merged = plan_plugins(eas.selectedPlugins)
        if merged != (eas.selectedPlugins or {}):
            eas.selectedPlugins = merged
            changed.append("selectedPlugins")

    values = {name: value for name, value in info.eas.items() if name != "libraryKey"}
    default_key = config.default_library_key or "TCAG"
    stated_key = info.eas.get("libraryKey", "")
    if _known_forward_key(stated_key, default_key):
        values["libraryKey"] = stated_key
    elif not eas.libraryKey:
        values["libraryKey"] = default_key
    if not eas.tfKey:
        values["tfKey"] = config.default_test_fragment_key or "ATCG"
    values["status"] = "run"
    for name, value in values.items():
        if getattr(eas, name) != value:
            setattr(eas, name, value)
            changed.append(name)
    if changed:
        eas.save()
    return eas, [n for n in changed if n != "created"]


def attach_sample(exp, sample_name, *, barcoded):
    """Non-barcoded runs: the explog's sample becomes a Sample of the run."""
    if not sample_name or barcoded:
        return False
    sample = Sample.objects.filter(name=sample_name, externalId="").first()
    if sample is None:
        sample = Sample.objects.create(name=sample_name, displayedName=sample_name, externalId="", status="run")
    elif sample.status != "run":
        sample.status = "run"
        sample.save(update_fields=["status"])
    if not sample.experiments.filter(pk=exp.pk).exists():
        sample.experiments.add(exp)
        return True
    return False


# -- automatic analysis ---------------------------------------------------------------------

def maybe_auto_analyse(exp, *, auto_analysis=True):
    """Start the run's automatic report once: finished run, autoAnalyze on, none started yet."""
    if not auto_analysis or not exp.autoAnalyze or exp.ftpStatus not in FINISHED:
        return None
    meta = exp.metaData if isinstance(exp.metaData, dict) else {}
    if meta.get(AUTO_MARKER):
        return None  # started before (the report may since have been deleted by a user)
    if exp.results.exclude(metaData__thumb=1).exists():
        return None
    result = create_report(exp, name=auto_report_name(exp))
    start_analysis(result)
    meta = dict(meta)
    meta[AUTO_MARKER] = result.resultsName
    Experiment.objects.filter(pk=exp.pk).update(metaData=meta)
    exp.metaData = meta
    logger.info("started automatic report %s for run %s", result.resultsName, exp.expName)
    return result
