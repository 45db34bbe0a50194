"""Pre-filtered views of plannedexperiment for instruments and the planning UI.

Every view is the ``plannedexperiment`` resource (same writes and validation, see
:mod:`rundb.api.planning`) restricted to a subset of plans and, for the "summary" views, to
the plan's own columns. ``plannedexperimentdb`` is the raw-columns form of all plans."""
from django.db.models import Q
from tastypie import fields

from rundb.models import Content, ExperimentAnalysisSettings, KitInfo, PlannedExperiment, ReferenceGenome

from ..base import ComputedField, IonMeta, json_response, resource_instance
from ..fields import ComputedRelatedField
from ..routes import guard, route
from .plan import PlannedExperimentResource

# The plan's own columns, as the "summary" views show them.
SUMMARY_FIELDS = (
    "adapter", "autoName", "categories", "controlSequencekitname", "cycles", "date", "expName", "id",
    "irworkflow", "isFavorite", "isPlanGroup", "isReusable", "isReverseRun", "isSystem", "isSystemDefault",
    "libkit", "libraryReadLength", "metaData", "origin", "pairedEndLibraryAdapterName", "planDisplayedName",
    "planExecuted", "planExecutedDate", "planGUID", "planName", "planPGM", "planShortID", "planStatus",
    "preAnalysis", "resource_uri", "reverse_primer", "runMode", "runType", "runname", "samplePrepKitName",
    "samplePrepProtocol", "sampleTubeLabel", "seqKitBarcode", "storageHost", "storage_options",
    "templatingKitBarcode", "templatingKitName", "templatingSize", "usePostBeadfind", "usePreBeadfind",
    "username",
)
DB_FIELDS = SUMMARY_FIELDS + (
    "applicationGroup", "sampleGrouping", "sampleSets", "qcValues", "experiment", "projects", "project",
    "parentPlan", "childPlans",
)
BASIC_INFO_FIELDS = tuple(f for f in SUMMARY_FIELDS if f != "username") + (
    "username", "applicationGroup", "applicationGroupDisplayedName", "applicationCategoryDisplayedName",
    "notes", "eas", "barcodeKitName", "reference", "targetRegionBedFile", "hotSpotRegionBedFile",
    "sampleGroupName", "irAccountName", "templatePrepInstrumentType", "sequencingInstrumentType",
)

PLAN = Q(isReusable=False)
TEMPLATE = Q(isReusable=True)
AVAILABLE = PLAN & Q(planExecuted=False) & Q(planStatus__in=["", "planned"])


def kit_names(kit_type):
    return KitInfo.objects.filter(kitType=kit_type).values("name")


def one_touch():
    return Q(templatingKitName__in=kit_names("TemplatingKit"))


def ion_chef():
    return Q(templatingKitName__in=kit_names("IonChefPrepKit"))


class PlanViewResource(PlannedExperimentResource):
    """``plans()`` selects the rows; ``keep`` (if set) lists the fields shown."""

    keep = None

    class Meta(IonMeta):
        abstract = True
        queryset = PlannedExperiment.objects.select_related("applicationGroup", "sampleGrouping")
        always_return_data = True

    def __init__(self, api_name=None):
        super().__init__(api_name=api_name)
        if self.keep is not None:
            self.fields = {name: field for name, field in self.fields.items() if name in self.keep}

    def prepend_urls(self):
        return []  # create/copy/transfer live on plannedexperiment only

    def plans(self):
        return Q()

    def get_object_list(self, request):
        return super().get_object_list(request).filter(self.plans())


def _meta(name):
    return type("Meta", (IonMeta,), {
        "resource_name": name, "always_return_data": True,
        "queryset": PlannedExperiment.objects.select_related("applicationGroup", "sampleGrouping"),
    })


class PlannedExperimentDbResource(PlanViewResource):
    keep = DB_FIELDS
    parentPlan = fields.CharField(attribute="parentPlan", null=True, blank=True)
    Meta = _meta("plannedexperimentdb")


class AvailablePlannedExperimentSummaryResource(PlanViewResource):
    Meta = _meta("availableplannedexperimentsummary")

    def plans(self):
        return AVAILABLE


class AvailableOneTouchPlannedExperimentResource(PlanViewResource):
    Meta = _meta("availableonetouchplannedexperiment")

    def plans(self):
        return AVAILABLE & one_touch()


class AvailableOneTouchPlannedExperimentSummaryResource(AvailableOneTouchPlannedExperimentResource):
    keep = SUMMARY_FIELDS
    Meta = _meta("availableonetouchplannedexperimentsummary")


class AvailableIonChefPlannedExperimentResource(PlanViewResource):
    """Plans waiting for an Ion Chef (``pending``), with their experiment."""

    keep = SUMMARY_FIELDS + ("experiment",)
    Meta = _meta("availableionchefplannedexperiment")

    def plans(self):
        return PLAN & Q(planExecuted=False, planStatus="pending") & ion_chef()


class AvailableIonChefPlannedExperimentSummaryResource(AvailableIonChefPlannedExperimentResource):
    Meta = _meta("availableionchefplannedexperimentsummary")


class IonChefPlanTemplateResource(PlanViewResource):
    Meta = _meta("ionchefplantemplate")

    def plans(self):
        return TEMPLATE & ion_chef()


class IonChefPlanTemplateSummaryResource(IonChefPlanTemplateResource):
    keep = SUMMARY_FIELDS
    Meta = _meta("ionchefplantemplatesummary")


class OneTouchPlanTemplateResource(PlanViewResource):
    Meta = _meta("onetouchplantemplate")

    def plans(self):
        return TEMPLATE & one_touch()


class OneTouchPlanTemplateSummaryResource(OneTouchPlanTemplateResource):
    keep = SUMMARY_FIELDS
    Meta = _meta("onetouchplantemplatesummary")


class PlanTemplateSummaryResource(PlanViewResource):
    keep = SUMMARY_FIELDS
    Meta = _meta("plantemplatesummary")

    def plans(self):
        return TEMPLATE


# Templating kit types -> the sample-prep instrument the UI names.
PREP_INSTRUMENTS = {"IonChefPrepKit": "IonChef", "TemplatingKit": "OneTouch", "AvalancheTemplateKit": "OneTouch",
                    "IA": "Isothermal Amplification"}


class PlanTemplateBasicInfoResource(PlanViewResource):
    """Templates for the template chooser: not system defaults, not inactive.

    Extra query parameters: ``platform`` (blank or this platform), ``sampleprep`` (IonChef /
    OneTouch), ``user`` (``_system`` for system templates), ``iraccount`` (an Ion Reporter
    account named in the IonReporterUploader plugin's user input)."""

    keep = BASIC_INFO_FIELDS
    eas = ComputedRelatedField("rundb.api.resources.experiment.ExperimentAnalysisSettingsResource")
    barcodeKitName = fields.CharField(attribute="barcodeId", null=True, readonly=True)
    reference = fields.CharField(attribute="library", null=True, readonly=True)
    targetRegionBedFile = fields.CharField(attribute="bedfile", null=True, readonly=True)
    hotSpotRegionBedFile = fields.CharField(attribute="regionfile", null=True, readonly=True)
    sampleGroupName = ComputedField("string")
    irAccountName = ComputedField("string")
    templatePrepInstrumentType = ComputedField("string")
    sequencingInstrumentType = ComputedField("string")

    class Meta(IonMeta):
        resource_name = "plantemplatebasicinfo"
        queryset = PlannedExperiment.objects.select_related("applicationGroup", "sampleGrouping")
        list_allowed_methods = ["get"]
        detail_allowed_methods = ["get"]

    def plans(self):
        return TEMPLATE & Q(isSystemDefault=False) & ~Q(planStatus="inactive")

    def prepend_urls(self):
        return [route(self, r"check_files/$", "check_files", "authenticated")]

    def check_files(self, request, **kwargs):
        """``{"references": [missing], "bedfiles": [missing], "install_lock", "files_available"}``
        for the templates the same query lists (all pages). ``application`` narrows to one
        application group by name."""
        guard(self, request, ["get"], "authenticated")
        templates = self.obj_get_list(self.build_bundle(request=request))
        application = request.GET.get("application")
        if application:
            templates = templates.filter(applicationGroup__name__iexact=application)
        refs, beds = set(), set()
        for library, bedfile, regionfile in templates.values_list("library", "bedfile", "regionfile"):
            if library:
                refs.add(library)
            beds.update(b for b in (bedfile, regionfile) if b)
        known_refs = set(ReferenceGenome.objects.filter(short_name__in=refs, enabled=True)
                         .values_list("short_name", flat=True))
        known_beds = set(Content.objects.filter(file__in=beds).values_list("file", flat=True))
        known_beds |= set(Content.objects.filter(path__in=beds).values_list("path", flat=True))
        missing_refs, missing_beds = sorted(refs - known_refs), sorted(beds - known_beds)
        return json_response({"references": missing_refs, "bedfiles": missing_beds, "install_lock": False,
                              "files_available": not missing_refs and not missing_beds})

    def ignores_filter(self, name):
        return name in ("platform", "sampleprep", "user", "iraccount")

    def apply_custom_filters(self, queryset, request):
        query = request.GET if request is not None else {}
        if query.get("platform"):
            queryset = queryset.filter(Q(platform__isnull=True) | Q(platform="")
                                       | Q(platform__iexact=query["platform"]))
        prep = query.get("sampleprep", "")
        if prep:
            kinds = [kind for kind, label in PREP_INSTRUMENTS.items() if label.lower() == prep.lower()]
            queryset = queryset.filter(templatingKitName__in=KitInfo.objects.filter(kitType__in=kinds).values("name"))
        user = query.get("user", "")
        if user == "_system":
            queryset = queryset.filter(isSystem=True)
        elif user:
            queryset = queryset.filter(username=user)
        if query.get("iraccount"):
            queryset = queryset.filter(selectedPlugins__IonReporterUploader__userInput__accountName=query["iraccount"])
        return queryset

    def prefetch_page(self, objs, page):
        super().prefetch_page(objs, page)
        ids = [o.pk for o in objs]
        eas = {}
        for eas_id, plan_id in ExperimentAnalysisSettings.objects.filter(
            experiment__plan_id__in=ids, isEditable=True
        ).order_by("pk").values_list("pk", "experiment__plan_id"):
            eas[plan_id] = eas_id  # the newest editable EAS wins
        kits = dict(KitInfo.objects.filter(name__in={o.templatingKitName for o in objs if o.templatingKitName})
                    .values_list("name", "kitType"))
        page.extra["eas"], page.extra["kits"] = eas, kits

    def dehydrate_eas(self, bundle):
        from .experiment import ExperimentAnalysisSettingsResource

        eas_id = bundle.page.extra["eas"].get(bundle.obj.pk)
        return None if eas_id is None else resource_instance(ExperimentAnalysisSettingsResource).uri_for_pk(eas_id)

    def dehydrate_sampleGroupName(self, bundle):
        return self.dehydrate_sampleGroupingName(bundle)

    def dehydrate_irAccountName(self, bundle):
        plugins = bundle.obj.selectedPlugins if isinstance(bundle.obj.selectedPlugins, dict) else {}
        uploader = plugins.get("IonReporterUploader")
        user_input = uploader.get("userInput") if isinstance(uploader, dict) else None
        return str(user_input.get("accountName", "")) if isinstance(user_input, dict) else ""

    def dehydrate_templatePrepInstrumentType(self, bundle):
        kind = bundle.page.extra["kits"].get(bundle.obj.templatingKitName)
        return PREP_INSTRUMENTS.get(kind, "")

    def dehydrate_sequencingInstrumentType(self, bundle):
        return bundle.obj.platform or ""


RESOURCES = [
    PlannedExperimentDbResource, AvailablePlannedExperimentSummaryResource,
    AvailableOneTouchPlannedExperimentResource, AvailableOneTouchPlannedExperimentSummaryResource,
    AvailableIonChefPlannedExperimentResource, AvailableIonChefPlannedExperimentSummaryResource,
    IonChefPlanTemplateResource, IonChefPlanTemplateSummaryResource, OneTouchPlanTemplateResource,
    OneTouchPlanTemplateSummaryResource, PlanTemplateSummaryResource, PlanTemplateBasicInfoResource,
]
