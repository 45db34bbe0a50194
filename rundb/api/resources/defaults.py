"""Planning defaults and sample vocabularies: analysisargs (+ ``getargs/``), applproduct,
common_cv, sampleannotation_cv, sampleattribute(datatype), sampleprepdata, samplesetiteminfo."""
from django.core.exceptions import ValidationError
from tastypie import fields
from tastypie.exceptions import BadRequest

from rundb.models import (
    AnalysisArgs,
    ApplProduct,
    Common_CV,
    ExperimentAnalysisSettings,
    PlannedExperiment,
    SampleAnnotation_CV,
    SampleAttribute,
    SampleAttributeDataType,
    SamplePrepData,
    SampleSetItem,
)
from rundb.models.defaults import ARG_NAMES

from ..base import ComputedField, IonMeta, IonResource, ReadOnlyMeta, json_response
from ..fields import ComputedRelatedField
from ..routes import guard, route
from .catalog import ApplicationGroupResource, RunTypeResource

KIT = "rundb.api.resources.catalog.KitInfoResource"
KIT_PARAMS = ("sequenceKitName", "templateKitName", "libraryKitName", "samplePrepKitName")


def best_args(chip_type, kits=None, application=None):
    """The active AnalysisArgs for ``chip_type`` that matches the most given kit names.

    A set naming a kit different from the one asked for is not eligible; among the rest, more
    matching names win, then the chip default."""
    kits = {k: v for k, v in (kits or {}).items() if v}
    candidates = AnalysisArgs.objects.filter(active=True, chipType=chip_type)
    best, best_score = None, None
    for args in candidates.order_by("pk"):
        score = 0
        eligible = True
        for name in KIT_PARAMS:
            stored = getattr(args, name)
            if not stored:
                continue
            if stored == kits.get(name):
                score += 1
            else:
                eligible = False
        if application and args.applType_id is not None:
            if args.applType.runType == application:
                score += 1
            else:
                eligible = False
        if not eligible:
            continue
        key = (score, args.chip_default)
        if best_score is None or key > best_score:
            best, best_score = args, key
    return best


class AnalysisArgsResource(IonResource):
    """``GET analysisargs/getargs/?chipType=&sequenceKitName=&templateKitName=&libraryKitName=
    &samplePrepKitName=&applicationType=`` (or ``?planGUID=``): the argument strings to use.

    With ``planGUID`` and an EAS marked ``custom_args``, the plan's own strings are returned.
    Authentication is required (the original left it open; see rundb/api/routes.py)."""

    applType = fields.ToOneField(RunTypeResource, "applType", null=True, blank=True)
    applGroup = fields.ToOneField(ApplicationGroupResource, "applGroup", null=True, blank=True)
    creator = fields.ToOneField("rundb.api.resources.users.UserResource", "creator", null=True, blank=True)
    lastModifiedUser = fields.ToOneField("rundb.api.resources.users.UserResource", "lastModifiedUser",
                                         null=True, blank=True)

    class Meta(IonMeta):
        queryset = AnalysisArgs.objects.all()
        resource_name = "analysisargs"

    def prepend_urls(self):
        return [route(self, r"getargs/$", "get_args", "authenticated")]

    def get_args(self, request, **kwargs):
        guard(self, request, ["get"], "authenticated")
        query = request.GET
        guid = query.get("planGUID", "")
        chip = query.get("chipType", "")
        kits = {name: query.get(name, "") for name in KIT_PARAMS}
        if guid:
            plan = PlannedExperiment.objects.filter(planGUID=guid).first()
            if plan is None:
                return json_response({"error": f"No plan with planGUID '{guid}'."}, status=404)
            eas = ExperimentAnalysisSettings.objects.filter(experiment__plan=plan).order_by(
                "-isEditable", "-pk").first()
            if eas is not None and eas.custom_args:
                return json_response({name: getattr(eas, name, "") for name in ARG_NAMES})
            chip = chip or plan.chipType
            kits = {"sequenceKitName": kits["sequenceKitName"] or plan.sequencekitname or "",
                    "templateKitName": kits["templateKitName"] or plan.templatingKitName or "",
                    "libraryKitName": kits["libraryKitName"] or plan.librarykitname or "",
                    "samplePrepKitName": kits["samplePrepKitName"] or plan.samplePrepKitName or ""}
        if not chip:
            raise BadRequest("Give chipType (or the planGUID of a plan that has one).")
        args = best_args(chip, kits, query.get("applicationType") or None)
        if args is None:
            return json_response({"error": f"No analysis arguments for chip type '{chip}'."}, status=404)
        return json_response({**args.as_args(), "name": args.name})


class ApplProductResource(IonResource):
    appl = fields.ToOneField(RunTypeResource, "applType", full=True)
    applicationGroup = fields.ToOneField(ApplicationGroupResource, "applicationGroup", full=True, null=True,
                                         blank=True)
    defaultSeqKit = fields.ToOneField(KIT, "defaultSequencingKit", null=True, blank=True)
    defaultLibKit = fields.ToOneField(KIT, "defaultLibraryKit", null=True, blank=True)
    defaultSamplePrepKit = fields.ToOneField(KIT, "defaultSamplePrepKit", null=True, blank=True)
    defaultControlSeqKit = fields.ToOneField(KIT, "defaultControlSeqKit", null=True, blank=True)
    defaultTemplateKit = fields.ToOneField(KIT, "defaultTemplateKit", null=True, blank=True)
    defaultIonChefPrepKit = fields.ToOneField(KIT, "defaultIonChefPrepKit", null=True, blank=True)
    defaultIonChefSequencingKit = fields.ToOneField(KIT, "defaultIonChefSequencingKit", null=True, blank=True)

    class Meta(IonMeta):
        queryset = ApplProduct.objects.select_related("applType", "applicationGroup")
        resource_name = "applproduct"


class CommonCVResource(IonResource):
    class Meta(IonMeta):
        queryset = Common_CV.objects.all()
        resource_name = "common_cv"


class SampleAnnotationCVResource(IonResource):
    sampleGroupType_CV = fields.ToOneField("rundb.api.resources.catalog.SampleGroupTypeResource",
                                           "sampleGroupType_CV", null=True, blank=True)

    class Meta(IonMeta):
        queryset = SampleAnnotation_CV.objects.all()
        resource_name = "sampleannotation_cv"


class SampleAttributeDataTypeResource(IonResource):
    class Meta(IonMeta):
        queryset = SampleAttributeDataType.objects.all()
        resource_name = "sampleattributedatatype"


class SampleAttributeResource(IonResource):
    """``sampleCount``: samples with a value for this attribute (values are not modelled: 0)."""

    dataType = fields.ToOneField(SampleAttributeDataTypeResource, "dataType", null=True, blank=True)
    dataType_name = fields.CharField(attribute="dataType__dataType", null=True, readonly=True)
    sampleCount = ComputedField("integer")

    class Meta(IonMeta):
        queryset = SampleAttribute.objects.select_related("dataType")
        resource_name = "sampleattribute"

    def dehydrate_sampleCount(self, bundle):
        return 0

    def hydrate(self, bundle):
        from django.utils import timezone

        if bundle.obj is not None and bundle.obj.pk is not None:
            bundle.obj.lastModifiedDate = timezone.now()
        return bundle


class SamplePrepDataResource(IonResource):
    """Instrument-reported prep runs. ``remainingSeconds``-style checks of the original: ``progress``
    must be numeric and ``lastUpdate`` a date (done by the generic hydration)."""

    sampleSet = fields.ToOneField("rundb.api.resources.sample.SampleSetResource", "sampleSet", null=True,
                                  blank=True)

    class Meta(IonMeta):
        queryset = SamplePrepData.objects.all()
        resource_name = "sampleprepdata"

    def validate_bundle(self, bundle, creating):
        progress = bundle.obj.progress
        try:
            bundle.obj.progress = float(progress)
        except (TypeError, ValueError):
            raise ValidationError({"progress": [f"Attribute progress requires a numeric value, got {progress!r}."]})


class SampleSetItemInfoResource(IonResource):
    """Sample set items flattened with their set and sample (read-only)."""

    sample = fields.ToOneField("rundb.api.resources.sample.SampleResource", "sample", null=True)
    sampleSet = fields.ToOneField("rundb.api.resources.sample.SampleSetResource", "sampleSet", null=True)
    dnabarcode = ComputedRelatedField("rundb.api.resources.catalog.DnaBarcodeResource")  # the id_str
    dnabarcodeKit = fields.CharField(attribute="dnabarcode__name", null=True, readonly=True)
    sampleSetPk = fields.IntegerField(attribute="sampleSet_id", null=True, readonly=True)
    sampleSetStatus = fields.CharField(attribute="sampleSet__status", null=True, readonly=True)
    sampleSetGroupType = fields.CharField(attribute="sampleSet__SampleGroupType_CV__displayedName", null=True,
                                          readonly=True)
    samplePk = fields.IntegerField(attribute="sample_id", null=True, readonly=True)
    sampleExternalId = fields.CharField(attribute="sample__externalId", null=True, readonly=True)
    sampleDisplayedName = fields.CharField(attribute="sample__displayedName", null=True, readonly=True)
    sampleDescription = fields.CharField(attribute="sample__description", null=True, readonly=True)
    attribute_dict = ComputedField("dict")

    class Meta(ReadOnlyMeta):
        queryset = SampleSetItem.objects.select_related("sample", "sampleSet__SampleGroupType_CV", "dnabarcode")
        resource_name = "samplesetiteminfo"

    def dehydrate_attribute_dict(self, bundle):
        return {}  # per-sample attribute values are not modelled

    def dehydrate_dnabarcode(self, bundle):
        barcode = bundle.obj.dnabarcode
        return barcode.id_str if barcode else None


RESOURCES = [
    AnalysisArgsResource, ApplProductResource, CommonCVResource, SampleAnnotationCVResource,
    SampleAttributeDataTypeResource, SampleAttributeResource, SamplePrepDataResource, SampleSetItemInfoResource,
]
