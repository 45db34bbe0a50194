"""Kit-type views of KitInfo / KitPart: the original's pre-filtered resources.

Each is KitInfo (or KitPart) restricted by kit type, ``isActive`` and instrument type, with
the same fields as ``kitinfo``; rows keep ``parts`` nested as kitpart objects. Unlike the
original (whose filtering map made them unfilterable), every field filters as on ``kitinfo``."""
from django.db.models import Q
from tastypie import fields

from rundb.models import KitInfo, KitPart

from ..base import IonMeta, IonResource, resource_instance
from .catalog import FlowOrderResource, KitInfoResource, KitPartResource


class KitViewResource(IonResource):
    """KitInfo rows matching ``kit_filter``; ``flow_order`` adds ``defaultFlowOrder``."""

    parts = fields.ToManyField(KitPartResource, "parts", full=True, readonly=True, blank=True)

    class Meta(IonMeta):
        abstract = True
        queryset = KitInfo.objects.all()
        excludes = ["defaultThreePrimeAdapter", "defaultFlowOrder"]

    kit_filter = Q()

    def get_object_list(self, request):
        return KitInfo.objects.filter(self.kit_filter)


def _kit_view(name, kit_filter, flow_order=False):
    attrs = {
        "kit_filter": kit_filter,
        "Meta": type("Meta", (IonMeta,), {"resource_name": name, "queryset": KitInfo.objects.all(),
                                          "excludes": ["defaultThreePrimeAdapter", "defaultFlowOrder"]}),
        "__module__": __name__,
        "__doc__": f"``{name}``: KitInfo rows where {kit_filter}.",
    }
    if flow_order:
        attrs["defaultFlowOrder"] = fields.ToOneField(FlowOrderResource, "defaultFlowOrder", null=True, blank=True)
    cls_name = name.capitalize().replace("kitinfo", "KitInfo") + "Resource"
    return type(cls_name, (KitViewResource,), attrs)


SEQ = Q(kitType="SequencingKit")
LIB = Q(kitType="LibraryKit")
CHEF = Q(kitType="IonChefPrepKit")
ACTIVE = Q(isActive=True)
PGM = Q(instrumentType__in=["", "pgm"])
PROTON = Q(instrumentType__in=["", "proton"])

KIT_VIEWS = [
    _kit_view("sequencingkitinfo", SEQ, flow_order=True),
    _kit_view("activesequencingkitinfo", SEQ & ACTIVE, flow_order=True),
    _kit_view("activepgmsequencingkitinfo", SEQ & ACTIVE & PGM, flow_order=True),
    _kit_view("activeprotonsequencingkitinfo", SEQ & ACTIVE & PROTON, flow_order=True),
    _kit_view("librarykitinfo", LIB),
    _kit_view("activelibrarykitinfo", LIB & ACTIVE),
    _kit_view("activepgmlibrarykitinfo", LIB & ACTIVE & PGM),
    _kit_view("activeprotonlibrarykitinfo", LIB & ACTIVE & PROTON),
    _kit_view("ionchefprepkitinfo", CHEF),
    _kit_view("activeionchefprepkitinfo", CHEF & ACTIVE),
    # Library prep on the Ion Chef: LibraryPrepKit rows whose sample-prep instrument is the Chef ("IC").
    _kit_view("activeioncheflibraryprepkitinfo",
              Q(kitType="LibraryPrepKit") & ACTIVE & Q(samplePrep_instrumentType__icontains="IC")),
]


class KitPartViewResource(IonResource):
    kit = fields.ToOneField(KitInfoResource, "kit")

    class Meta(IonMeta):
        abstract = True
        queryset = KitPart.objects.all()

    kit_type = ""

    def get_object_list(self, request):
        return KitPart.objects.filter(kit__kitType=self.kit_type)


class SequencingKitPartResource(KitPartViewResource):
    """Parts of sequencing kits; ``defaultFlowOrder`` is the kit's."""

    defaultFlowOrder = fields.ToOneField(FlowOrderResource, "kit__defaultFlowOrder", null=True, readonly=True)
    kit_type = "SequencingKit"

    class Meta(IonMeta):
        queryset = KitPart.objects.all()
        resource_name = "sequencingkitpart"

    def dehydrate_defaultFlowOrder(self, bundle):
        order_id = bundle.obj.kit.defaultFlowOrder_id
        return None if order_id is None else resource_instance(FlowOrderResource).uri_for_pk(order_id)

    def get_object_list(self, request):
        return super().get_object_list(request).select_related("kit")


class LibraryKitPartResource(KitPartViewResource):
    kit_type = "LibraryKit"

    class Meta(IonMeta):
        queryset = KitPart.objects.all()
        resource_name = "librarykitpart"


RESOURCES = KIT_VIEWS + [SequencingKitPartResource, LibraryKitPartResource]
