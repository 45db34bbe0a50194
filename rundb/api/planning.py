"""Planning a run: validate a plan body, resolve names against the catalog, and save the plan
with its shell Experiment, its editable analysis settings (EAS) and its samples.

Plain functions, used by the ``plannedexperiment`` resource (and by any UI that plans runs).

Errors come back as ``{field: [message, ...]}``; the resource answers 400
``{"error": {...}}``. Rules (only keys present are checked, except the "new plan" rules):

* new plans: ``planName`` required; new non-template plans also need ``chipType``,
  ``templatingKitName`` and ``sample`` or ``barcodedSamples``. When both are given (the API
  examples' barcoded plan does this) ``barcodedSamples`` wins and ``sample`` is dropped with a warning;
* names use letters, digits, space, ``.``, ``-``, ``_``; planName <= 60 chars;
* ``chipType`` (name or description, any case), ``templatingKitName``, ``sequencekitname``,
  ``librarykitname`` (name or description) must exist in the catalog; stored canonical;
* ``barcodeId`` must be a barcode kit and every barcode of ``barcodedSamples`` must be in it;
* ``libraryKey`` by name or sequence (stored as the sequence); ``flowsInOrder`` by name,
  description or sequence; ``flows`` 1..2000; ``planStatus`` one of the known statuses;
* ``"none"`` (any case) means empty for the kit/chip/barcode/reference names.
Reference names (``library``) are not checked: references are installed separately.
"""
import ast
import datetime as dt
import json
import re
import uuid

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rundb.models import (
    ApplicationGroup,
    Chip,
    Experiment,
    ExperimentAnalysisSettings,
    FlowOrder,
    GlobalConfig,
    KitInfo,
    LibraryKey,
    PlannedExperiment,
    PlannedExperimentQC,
    Project,
    QCType,
    RunType,
    Sample,
    SampleGroupType_CV,
    SampleSet,
    dnaBarcode,
    new_plan_short_id,
)
from rundb.plan_defaults import plan_plugins

NAME_RE = re.compile(r"^[a-zA-Z0-9 ._-]*$")
SAMPLE_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9 ._-]*$")
ALNUM_RE = re.compile(r"^[a-zA-Z0-9]*$")
PLAN_STATUSES = ("", "pending", "voided", "reserved", "planned", "transferred", "inactive", "run")
NONE_MEANS_EMPTY = ("barcodeId", "bedfile", "regionfile", "sseBedFile", "chipType", "library", "librarykitname",
                    "sequencekitname", "templatingKitName", "platform")
BOOL_FALSE_DEFAULT = ("planExecuted", "isReverseRun", "isReusable", "isFavorite", "isSystem", "isSystemDefault",
                      "isPlanGroup", "isDuplicateReads", "realign")
BOOL_TRUE_DEFAULT = ("preAnalysis", "usePreBeadfind", "usePostBeadfind", "autoAnalyze")
TEMPLATING_KIT_TYPES = ("TemplatingKit", "IonChefPrepKit")
LIBRARY_KIT_TYPES = ("LibraryKit", "LibraryPrepKit")
# Project names (also checked by the project resource): one word, as the web UI filters by them.
PROJECT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CHAR_MSG = ("{key} should contain only letters [a-zA-Z], numbers [0-9], spaces [ ], and limited special "
            "characters: [.-_] (ie, period, hyphen or underscore).")
# Plan body key -> EAS column.
EAS_KEYS = {
    "barcodeId": "barcodeKitName", "library": "reference", "bedfile": "targetRegionBedFile",
    "regionfile": "hotSpotRegionBedFile", "sseBedFile": "sseBedFile", "libraryKey": "libraryKey",
    "tfKey": "tfKey", "librarykitname": "libraryKitName", "forward3primeadapter": "threePrimeAdapter",
    "barcodedSamples": "barcodedSamples", "selectedPlugins": "selectedPlugins",
    "isDuplicateReads": "isDuplicateReads", "base_recalibration_mode": "base_recalibration_mode",
    "realign": "realign", "mixedTypeRNA_reference": "mixedTypeRNA_reference",
    "mixedTypeRNA_targetRegionBedFile": "mixedTypeRNA_targetRegionBedFile",
    "mixedTypeRNA_hotSpotRegionBedFile": "mixedTypeRNA_hotSpotRegionBedFile",
}
# Plan fields copied to the run shell.
EXPERIMENT_KEYS = ("autoAnalyze", "usePreBeadfind", "chipType", "flows", "notes", "sequencekitname", "platform",
                   "chipBarcode", "flowsInOrder", "runMode", "isReverseRun", "metaData")


class PlanErrors(dict):
    """{field: [message, ...]}; the messages keep the original's leading/trailing space."""

    def add(self, key, message):
        self.setdefault(key, []).append(f" {message} ")


def to_bool(value, default):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    return str(value).strip().lower() in ("true", "t", "yes", "y", "1", "on")


def parse_literal(value):
    """A dict given as JSON text or as the Python literal older clients send."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(text)


def _kit(name, kit_types):
    if not name:
        return None
    return KitInfo.objects.filter(kitType__in=kit_types).filter(
        Q(name__iexact=name) | Q(description__iexact=name)
    ).order_by("-isActive", "pk").first()


def _resolve_kit(errors, data, field, label, kit_types, *, check_active=False):
    """Replace data[field] by the kit's canonical name; record an error when it is unknown
    (or inactive, with check_active). Returns the kit, or None when the field is empty or unknown."""
    if not data.get(field):
        return None
    kit = _kit(data[field], kit_types)
    if kit is None:
        errors.add(field, f"{label} {data[field]} not found.")
    elif check_active and not kit.isActive:
        errors.add(field, f"{label} {kit.name} is not active.")
    else:
        data[field] = kit.name
    return kit


class _PlanCheck:
    """One plan body being normalised: the body, the stored plan (None when creating) and
    what the steps of ``normalize`` found."""

    def __init__(self, data, plan):
        self.data, self.plan = data, plan
        self.errors, self.warnings = PlanErrors(), PlanErrors()
        self.creating = plan is None
        self.template = to_bool(data.get("isReusable"), plan.isReusable if plan else False)
        self.seqkit = None

    def stored(self, key, default):
        return getattr(self.plan, key, default) if self.plan else default


def normalize(data, plan=None):
    """Clean a plan body in place (names to canonical values); returns (errors, warnings)."""
    check = _PlanCheck(data, plan)
    for step in (_plain_values, _names, _chip_and_kits, _key_and_flows, _status_and_platform, _qc_and_projects,
                 _json_fields, _samples):
        step(check)
    if "selectedPlugins" not in check.errors:
        apply_default_plugins(data, plan)
    return check.errors, check.warnings


def _plain_values(c):
    data = c.data
    for key in NONE_MEANS_EMPTY:
        if isinstance(data.get(key), str) and data[key].strip().lower() == "none":
            data[key] = ""
    for keys, default in ((BOOL_FALSE_DEFAULT, False), (BOOL_TRUE_DEFAULT, True)):
        for key in keys:
            if key in data or c.creating:
                data[key] = to_bool(data.get(key), c.stored(key, default))


def _names(c):
    data, errors = c.data, c.errors
    if c.creating and not (data.get("planName") or "").strip():
        errors.add("planName", "planName is required.")
    for key, limit in (("planName", 60), ("notes", 1024), ("sampleTubeLabel", 512)):
        value = data.get(key)
        if value:
            if not NAME_RE.match(str(value)):
                errors.add(key, CHAR_MSG.format(key=key))
            if len(str(value)) > limit:
                errors.add(key, f"{key} should be at most {limit} characters long.")
    if data.get("sampleTubeLabel"):
        data["sampleTubeLabel"] = str(data["sampleTubeLabel"]).strip()
    if data.get("chipBarcode") and not ALNUM_RE.match(str(data["chipBarcode"])):
        errors.add("chipBarcode", "chipBarcode should contain only letters and numbers.")


def _chip_and_kits(c):
    data, errors = c.data, c.errors
    if "chipType" in data and data["chipType"]:
        chip = Chip.objects.filter(Q(name__iexact=data["chipType"]) | Q(description__iexact=data["chipType"])).order_by(
            "-isActive", "pk").first()
        if chip is None:
            errors.add("chipType", f"Chip {data['chipType']} not found.")
        elif not chip.isActive and c.creating:
            errors.add("chipType", f"Chip {chip.name} is not active.")
        else:
            data["chipType"] = chip.name
    elif c.creating and not c.template:
        errors.add("chipType", "chipType is required.")

    if data.get("templatingKitName"):
        _resolve_kit(errors, data, "templatingKitName", "Templating kit", TEMPLATING_KIT_TYPES, check_active=c.creating)
    elif c.creating and not c.template:
        errors.add("templatingKitName", "templatingKitName is required.")
    c.seqkit = _resolve_kit(errors, data, "sequencekitname", "Sequencing kit", ("SequencingKit",))
    _resolve_kit(errors, data, "librarykitname", "Library kit", LIBRARY_KIT_TYPES)


def _key_and_flows(c):
    data, errors, seqkit = c.data, c.errors, c.seqkit
    if data.get("libraryKey"):
        key = LibraryKey.objects.filter(Q(name=data["libraryKey"]) | Q(sequence=data["libraryKey"])).first()
        if key is None:
            errors.add("libraryKey", f"Library key {data['libraryKey']} not found.")
        else:
            data["libraryKey"] = key.sequence
    elif c.creating:
        data["libraryKey"] = GlobalConfig.get().default_library_key
    if data.get("flowsInOrder"):
        order = FlowOrder.objects.filter(
            Q(name=data["flowsInOrder"]) | Q(description=data["flowsInOrder"]) | Q(flowOrder=data["flowsInOrder"])
        ).first()
        if order is None:
            if not re.match(r"^[ACGT]+$", str(data["flowsInOrder"])):
                errors.add("flowsInOrder", f"Flow order {data['flowsInOrder']} not found.")
        else:
            data["flowsInOrder"] = order.flowOrder
    elif c.creating and seqkit is not None and seqkit.defaultFlowOrder_id:
        data["flowsInOrder"] = seqkit.defaultFlowOrder.flowOrder
    if "flows" in data and data["flows"] not in (None, "", "0", 0):
        try:
            flows = int(data["flows"])
            if not 1 <= flows <= 2000:
                raise ValueError
            data["flows"] = flows
        except (TypeError, ValueError):
            errors.add("flows", "flows should be an integer from 1 to 2000.")
    elif c.creating and seqkit is not None and seqkit.flowCount:
        data["flows"] = seqkit.flowCount


def _status_and_platform(c):
    data, errors = c.data, c.errors
    if "planStatus" in data:
        status = str(data["planStatus"] or "").strip().lower()
        if status not in PLAN_STATUSES:
            errors.add("planStatus", f"planStatus {data['planStatus']} is not valid; use one of "
                                     f"{', '.join(s for s in PLAN_STATUSES if s)}.")
        data["planStatus"] = status
    if data.get("runType") and RunType.objects.exists():
        if not RunType.objects.filter(runType=data["runType"]).exists():
            errors.add("runType", f"Run type {data['runType']} not found.")
    if data.get("platform"):
        data["platform"] = str(data["platform"]).upper()


def _qc_and_projects(c):
    """QC thresholds (body keys named after QC types) and project names."""
    data, errors = c.data, c.errors
    for qc in QCType.objects.all():
        if qc.qcName in data and data[qc.qcName] not in (None, ""):
            try:
                value = int(str(data[qc.qcName]).strip())
                if not qc.minThreshold <= value <= qc.maxThreshold:
                    raise ValueError
                data[qc.qcName] = value
            except (TypeError, ValueError):
                errors.add(qc.qcName, f"{qc.qcName} should be a whole number from {qc.minThreshold} to "
                                      f"{qc.maxThreshold}.")
    names = data.get("projects", data.get("project"))
    if names:
        listed = [n.strip() for n in names.split(",")] if isinstance(names, str) else names
        if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
            errors.add("projects", "projects should be a list of project names.")
        else:
            bad = [n for n in listed if n and not PROJECT_NAME_RE.match(n.strip())]
            if bad:
                errors.add("projects", f"Project names may contain only letters, digits, '_', '.' and '-' (no "
                                       f"spaces), at most 64 characters: {', '.join(bad)}")


def _json_fields(c):
    data, errors = c.data, c.errors
    for key in ("barcodedSamples", "selectedPlugins", "metaData"):
        if key in data and data[key] is not None:
            try:
                data[key] = parse_literal(data[key])
            except ValueError:
                if key == "metaData":
                    errors.add(key, f"Error: Invalid JSON value for field metaData={data[key]} in plannedExperiment "
                                    f"with planName={data.get('planName')}")
                elif key == "selectedPlugins":
                    data[key] = {}
                else:
                    errors.add(key, "barcodedSamples is not valid JSON.")
            if key in data and not isinstance(data[key], dict):
                errors.add(key, f"{key} should be an object.")


def _samples(c):
    data, errors, creating = c.data, c.errors, c.creating
    barcode_kit = data.get("barcodeId") if "barcodeId" in data else c.stored("barcodeId", "")
    if data.get("barcodeId"):
        if not dnaBarcode.objects.filter(name=data["barcodeId"]).exists():
            errors.add("barcodeId", f"Barcode kit {data['barcodeId']} not found.")
    has_sample = bool((data.get("sample") or "").strip()) if isinstance(data.get("sample"), str) else bool(data.get("sample"))
    has_barcoded = bool(data.get("barcodedSamples"))
    if has_sample and has_barcoded:
        c.warnings.add("sample", "sample is ignored: a barcoded plan takes its samples from barcodedSamples.")
        data["sample"] = ""
        has_sample = False
    if creating and not c.template and not has_sample and not has_barcoded:
        errors.add("sample", "A plan needs sample (non-barcoded) or barcodedSamples (barcoded).")
    if c.template and creating and (has_sample or has_barcoded):
        errors.add("sample", "A template cannot carry samples.")
    if has_sample:
        sample = str(data["sample"]).strip()
        if not SAMPLE_RE.match(sample):
            errors.add("sample", CHAR_MSG.format(key="sample") + " It must start with a letter or number.")
        if len(sample) > 127:
            errors.add("sample", "sample should be at most 127 characters long.")
        if data.get("barcodeId") and creating:
            errors.add("sample", "A barcoded plan (barcodeId) takes barcodedSamples, not sample.")
    if has_barcoded and isinstance(data.get("barcodedSamples"), dict):
        _check_barcoded(data["barcodedSamples"], barcode_kit, creating, errors)


def apply_default_plugins(data, plan=None):
    """A new plan's ``selectedPlugins`` gets the default-selected plugins; null/false entries
    (deselections) are dropped from new and existing plans. Rules and the ways a plan opts
    out: rundb/plan_defaults.py."""
    if plan is None:
        data["selectedPlugins"] = plan_plugins(
            data.get("selectedPlugins"), include_defaults=data.get("include_plugin_default_selection"),
            origin=data.get("origin"), is_system=to_bool(data.get("isSystem"), False),
        )
    elif isinstance(data.get("selectedPlugins"), dict):
        data["selectedPlugins"] = plan_plugins(data["selectedPlugins"], include_defaults=False)


def _check_barcoded(barcoded, kit, creating, errors):
    if not kit:
        errors.add("barcodeId", "barcodeId is required with barcodedSamples.")
        return
    known = set(dnaBarcode.objects.filter(name=kit).values_list("id_str", flat=True))
    seen = {}
    for sample, info in barcoded.items():
        if not SAMPLE_RE.match(str(sample)) or len(str(sample)) > 127:
            errors.add("barcodedSamples", f"Sample name {sample!r}: " + CHAR_MSG.format(key="sample"))
        if not isinstance(info, dict) or not isinstance(info.get("barcodes"), list) or not info["barcodes"]:
            errors.add("barcodedSamples", f"Sample {sample!r} needs a non-empty 'barcodes' list.")
            continue
        details = info.get("barcodeSampleInfo") or {}
        for barcode in info["barcodes"]:
            if barcode not in known:
                errors.add("barcodedSamples", f"Barcode {barcode} is not in barcode kit {kit}.")
            if barcode in seen:
                errors.add("barcodedSamples", f"Barcode {barcode} is assigned to {seen[barcode]!r} and {sample!r}.")
            seen[barcode] = sample
            entry = details.get(barcode) if isinstance(details, dict) else None
            if creating and (not isinstance(entry, dict) or not entry.get("nucleotideType")):
                errors.add("barcodedSamples", f"barcodeSampleInfo.{barcode}.nucleotideType is required.")
            elif isinstance(entry, dict) and str(entry.get("nucleotideType", "")).lower() == "fusions":
                entry["nucleotideType"] = "RNA"


def new_short_id():
    for _ in range(50):
        candidate = new_plan_short_id()
        if not PlannedExperiment.objects.filter(planShortID=candidate, planExecuted=False).exists():
            return candidate
    raise RuntimeError("could not find a free plan short id")


def fill_new_plan_defaults(plan, data):
    """Defaults a new plan gets before its first save."""
    templating = _kit(plan.templatingKitName, TEMPLATING_KIT_TYPES)
    if not data.get("planStatus"):
        chef = templating is not None and templating.kitType == "IonChefPrepKit"
        plan.planStatus = "pending" if chef and not plan.isReusable else "planned"
    display = (data.get("planDisplayedName") or data.get("planName") or "").strip()
    plan.planDisplayedName = display
    plan.planName = re.sub(r"\s+", "_", (plan.planName or "").strip())
    plan.date = timezone.now()
    plan.planShortID = new_short_id()
    plan.planGUID = str(uuid.uuid4())
    origin = data.get("origin") or "api"
    plan.origin = f"{origin}|{settings.ION_VERSION}"
    if plan.sample:
        plan.sampleDisplayedName = plan.sampleDisplayedName or plan.sample
        plan.sample = re.sub(r"\s+", "_", plan.sample.strip())


def save_related(plan, data, user, creating):
    """After the plan row is saved: shell experiment, EAS, samples, projects, QC, sample sets."""
    exp = Experiment.objects.filter(plan=plan).first()
    if exp is None:
        exp = Experiment(plan=plan, expName=plan.planGUID, unique=plan.planGUID, expDir="",
                         displayName=plan.planShortID or "")
    exp.status = plan.planStatus
    for key in EXPERIMENT_KEYS:
        setattr(exp, key, getattr(plan, key) if getattr(plan, key) is not None else getattr(exp, key))
    if "chefInfo" in data:
        apply_chef_info(exp, data["chefInfo"])
    exp.save()

    eas = exp.eas_set.filter(isEditable=True).order_by("-pk").first()
    if eas is None:
        eas = ExperimentAnalysisSettings(experiment=exp, isEditable=True, date=timezone.now())
    eas.status = plan.planStatus
    for plan_key, eas_key in EAS_KEYS.items():
        if hasattr(plan, plan_key):
            value = getattr(plan, plan_key)
        elif plan_key in data:
            value = data[plan_key]
        else:
            continue
        if value is None and not ExperimentAnalysisSettings._meta.get_field(eas_key).null:
            continue
        setattr(eas, eas_key, value)
    eas.save()

    if not plan.isReusable:
        _save_samples(plan, exp)

    names = data.get("projects", data.get("project"))
    if names is not None:
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        projects = []
        for name in names:
            project, _ = Project.objects.get_or_create(name=str(name)[:64], defaults={"creator": user})
            projects.append(project)
        plan.projects.set(projects)

    qc_types = {q.qcName: q for q in QCType.objects.all()}
    for name, qc in qc_types.items():
        if name in data:
            PlannedExperimentQC.objects.update_or_create(
                plannedExperiment=plan, qcType=qc, defaults={"threshold": int(data[name] or 0)}
            )
        elif creating:
            PlannedExperimentQC.objects.get_or_create(
                plannedExperiment=plan, qcType=qc, defaults={"threshold": qc.defaultThreshold}
            )

    if data.get("sampleSetDisplayedName"):
        names = [n.strip() for n in str(data["sampleSetDisplayedName"]).split(",") if n.strip()]
        sets = list(SampleSet.objects.filter(displayedName__in=names))
        plan.sampleSets.set(sets)
        SampleSet.objects.filter(pk__in=[s.pk for s in sets], status__in=("", "created")).update(status="planned")
    return exp, eas


def _chef_value(field, value):
    if value in (None, "") and field.null:
        return None
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationError(f"'{value}' is not an ISO-8601 date/time.")
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.timezone.utc)
    if isinstance(field, (models.IntegerField, models.FloatField)):
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise ValidationError("A number is required.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"A number is required, got {value!r}.")
        if number != number or abs(number) == float("inf"):
            raise ValidationError("A finite number is required.")
        return int(number) if isinstance(field, models.IntegerField) and abs(number) < 2 ** 63 else number
    if isinstance(field, models.CharField) and isinstance(value, (dict, list)):
        raise ValidationError("Expected a string.")
    return value


def apply_chef_info(exp, info):
    """Ion Chef reports its run through the plan (``{"chefInfo": {...}}``): the keys that are
    Experiment chef* columns are copied onto the run, where compositeexperiment's cartridge
    filters look, and checked as a PATCH of experiment would be (400 naming ``chefInfo``)."""
    if not isinstance(info, dict):
        return
    errors = []
    for key, value in info.items():
        if not isinstance(key, str) or not key.startswith("chef"):
            continue
        try:
            field = Experiment._meta.get_field(key)
        except FieldDoesNotExist:
            continue  # kept in the plan's chefInfo only
        try:
            setattr(exp, key, field.clean(_chef_value(field, value), exp))
        except ValidationError as exc:
            errors.extend(f"{key}: {message}" for message in exc.messages)
    for key, messages in exp.chef_errors().items():
        errors.extend(f"{key}: {message}" for message in messages)
    if errors:
        raise ValidationError({"chefInfo": errors})


def _save_samples(plan, exp):
    wanted = []
    barcoded = plan.barcodedSamples if isinstance(plan.barcodedSamples, dict) else {}
    if barcoded:
        for display, info in barcoded.items():
            first = {}
            if isinstance(info, dict):
                details = info.get("barcodeSampleInfo") or {}
                codes = info.get("barcodes") or []
                first = details.get(codes[0], {}) if codes and isinstance(details, dict) else {}
            wanted.append((display, first.get("externalId") or "", first.get("description") or ""))
    elif plan.sample:
        wanted.append((plan.sampleDisplayedName or plan.sample, "", ""))
    samples = []
    for display, external, description in wanted:
        name = re.sub(r"\s+", "_", str(display).strip())
        sample, _ = Sample.objects.get_or_create(
            name=name, externalId=external,
            defaults={"displayedName": display, "description": description, "status": plan.planStatus},
        )
        if sample.status != "run" and sample.status != plan.planStatus:
            sample.status = plan.planStatus
            sample.save(update_fields=["status"])
        samples.append(sample)
    exp.samples.set(samples)


# Plan fields a copy of a template does not take over (identity, state, the template flags).
NOT_COPIED = ("id", "planShortID", "planGUID", "date", "planExecuted", "planExecutedDate", "planStatus",
              "isReusable", "isSystem", "isSystemDefault", "isFavorite", "origin", "expName", "runname",
              "childPlans", "parentPlan", "planDisplayedName", "planName", "sample", "sampleDisplayedName",
              "barcodedSamples", "chefInfo", "username")


def resolve_groupings(data):
    """``applicationGroupDisplayedName`` / ``sampleGroupingName`` to their rows (or errors)."""
    errors = PlanErrors()
    resolved = {}
    name = data.get("applicationGroupDisplayedName")
    if name:
        group = ApplicationGroup.objects.filter(Q(description__iexact=name) | Q(name__iexact=name)).first()
        if group is None:
            errors.add("applicationGroupDisplayedName", f"Application group {name} not found.")
        else:
            resolved["applicationGroup"] = group
    name = data.get("sampleGroupingName")
    if name:
        group = SampleGroupType_CV.objects.filter(displayedName__iexact=name).first()
        if group is None:
            errors.add("sampleGroupingName", f"Sample grouping {name} not found.")
        else:
            resolved["sampleGrouping"] = group
    return resolved, errors
