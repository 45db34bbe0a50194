"""Reference catalog: chips, barcodes, kits, keys, adapters, flow orders, run types, references."""
from django.db.models import Min, Q
from tastypie import fields

from rundb.models import (
    ApplicationGroup,
    Chip,
    FlowOrder,
    KitInfo,
    KitPart,
    LibraryKey,
    QCType,
    ReferenceGenome,
    RunType,
    SampleGroupType_CV,
    Template,
    ThreePrimeAdapter,
    dnaBarcode,
)

from ..base import IonMeta, IonResource


class ChipResource(IonResource):
    class Meta(IonMeta):
        queryset = Chip.objects.all()
        resource_name = "chip"


class DnaBarcodeResource(IonResource):
    """``?distinct=<anything>`` gives one row per barcode kit (the lowest id), ordered by name."""

    class Meta(IonMeta):
        queryset = dnaBarcode.objects.all()
        resource_name = "dnabarcode"

    def apply_custom_filters(self, queryset, request):
        if request is not None and "distinct" in request.GET:
            firsts = dnaBarcode.objects.values("name").annotate(first=Min("pk")).values("first")
            queryset = queryset.filter(pk__in=firsts).order_by("name", "pk")
        return queryset


class FlowOrderResource(IonResource):
    class Meta(IonMeta):
        queryset = FlowOrder.objects.all()
        resource_name = "floworder"


class LibraryKeyResource(IonResource):
    class Meta(IonMeta):
        queryset = LibraryKey.objects.all()
        resource_name = "librarykey"


class ThreePrimeAdapterResource(IonResource):
    class Meta(IonMeta):
        queryset = ThreePrimeAdapter.objects.all()
        resource_name = "threeprimeadapter"


class KitPartResource(IonResource):
    kit = fields.ToOneField("rundb.api.resources.catalog.KitInfoResource", "kit")

    class Meta(IonMeta):
        queryset = KitPart.objects.all()
        resource_name = "kitpart"


class KitInfoResource(IonResource):
    parts = fields.ToManyField(KitPartResource, "parts", full=True, readonly=True, blank=True)
    defaultFlowOrder = fields.ToOneField(FlowOrderResource, "defaultFlowOrder", null=True, blank=True)

    class Meta(IonMeta):
        queryset = KitInfo.objects.all()
        resource_name = "kitinfo"
        excludes = ["defaultThreePrimeAdapter"]


class RunTypeResource(IonResource):
    applicationGroups = fields.ToManyField(
        "rundb.api.resources.catalog.ApplicationGroupResource", "applicationGroups", null=True, blank=True
    )

    class Meta(IonMeta):
        queryset = RunType.objects.all()
        resource_name = "runtype"


class ApplicationGroupResource(IonResource):
    applications = fields.ToManyField(RunTypeResource, "applications", full=True, readonly=True, null=True, blank=True)

    class Meta(IonMeta):
        queryset = ApplicationGroup.objects.all()
        resource_name = "applicationgroup"


class ReferenceGenomeResource(IonResource):
    """With ``settings.ION_TMAP_INDEX_VERSION`` set, only references indexed for that version are
    listed (``?special=<any>`` adds those with a blank index version); unset, all are."""

    class Meta(IonMeta):
        queryset = ReferenceGenome.objects.all()
        resource_name = "referencegenome"
        limit = 1000  # clients list every reference in one go, as with the original

    def apply_custom_filters(self, queryset, request):
        from django.conf import settings

        version = getattr(settings, "ION_TMAP_INDEX_VERSION", "")
        if not version:
            return queryset
        wanted = Q(index_version=version)
        if request is not None and "special" in request.GET:
            wanted |= Q(index_version="")
        return queryset.filter(wanted)


class TemplateResource(IonResource):
    class Meta(IonMeta):
        queryset = Template.objects.all()
        resource_name = "template"


class QCTypeResource(IonResource):
    class Meta(IonMeta):
        queryset = QCType.objects.all()
        resource_name = "qctype"


class SampleGroupTypeResource(IonResource):
    sampleSets = fields.ToManyField("rundb.api.resources.sample.SampleSetResource", "sampleSets",
                                    null=True, readonly=True)
    sampleAnnotation_set = fields.ToManyField("rundb.api.resources.defaults.SampleAnnotationCVResource",
                                              "sampleAnnotation_set", null=True, readonly=True)

    class Meta(IonMeta):
        queryset = SampleGroupType_CV.objects.all()
        resource_name = "samplegrouptype_cv"
