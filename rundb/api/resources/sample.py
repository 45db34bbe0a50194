"""Projects, samples, sample sets and their items."""
import re

from django.db.models import Count
from tastypie import fields

from rundb.models import KitInfo, Project, Sample, SampleSet, SampleSetItem

from ..base import ComputedField, IonMeta, IonResource
from ..planning import PROJECT_NAME_RE
from ..fields import ComputedRelatedField
from .sampleset_routes import SampleSetRoutesMixin

USER = "rundb.api.resources.users.UserResource"


class ProjectResource(IonResource):
    """``creator`` defaults to the caller on create; ``resultsCount`` is filterable and orderable."""

    creator = fields.ToOneField(USER, "creator")
    resultsCount = fields.IntegerField(attribute="resultsCount", readonly=True)

    class Meta(IonMeta):
        queryset = Project.objects.annotate(resultsCount=Count("results", distinct=True))
        resource_name = "project"

    def hydrate(self, bundle):
        if bundle.obj.pk is None and not bundle.data.get("creator") and bundle.request.user.is_authenticated:
            bundle.obj.creator = bundle.request.user
        return bundle

    def validate_bundle(self, bundle, creating):
        # Project names become filter values and URL parts in the web UI: one word, no spaces.
        name = bundle.obj.name or ""
        if name and not PROJECT_NAME_RE.match(name):
            from django.core.exceptions import ValidationError

            raise ValidationError({"name": "Project names may contain only letters, digits, '_', '.' and '-' "
                                           "(no spaces), at most 64 characters."})


def _underscored(text):
    return re.sub(r"\s+", "_", text.strip()) if isinstance(text, str) else text


class SampleResource(IonResource):
    """``name`` defaults to ``displayedName`` with whitespace as ``_``; ``displayedName`` to ``name``."""

    experiments = fields.ToManyField("rundb.api.resources.experiment.ExperimentResource", "experiments",
                                     null=True, blank=True)
    sampleSets = fields.ToManyField("rundb.api.resources.sample.SampleSetItemResource", "sampleSets",
                                    null=True, blank=True, readonly=True)

    class Meta(IonMeta):
        queryset = Sample.objects.all()
        resource_name = "sample"
        list_allowed_methods = ["get", "post"]
        detail_allowed_methods = ["get", "put"]

    def hydrate(self, bundle):
        data = bundle.data
        if not data.get("name") and data.get("displayedName"):
            data["name"] = _underscored(data["displayedName"])
        if not data.get("displayedName") and data.get("name"):
            data["displayedName"] = data["name"]
        return bundle


class SampleSetResource(SampleSetRoutesMixin, IonResource):
    SampleGroupType_CV = fields.ToOneField("rundb.api.resources.catalog.SampleGroupTypeResource",
                                           "SampleGroupType_CV", null=True, blank=True)
    samples = fields.ToManyField("rundb.api.resources.sample.SampleSetItemResource", "samples",
                                 null=True, blank=True, readonly=True)
    libraryPrepInstrumentData = ComputedRelatedField("rundb.api.resources.defaults.SamplePrepDataResource")
    sampleCount = ComputedField("integer")
    sampleGroupTypeName = ComputedField("string")
    libraryPrepTypeDisplayedName = ComputedField("string")
    libraryPrepKitDisplayedName = ComputedField("string")
    readyForPlanning = ComputedField("boolean")

    class Meta(IonMeta):
        queryset = SampleSet.objects.select_related("SampleGroupType_CV").annotate(
            _sample_count=Count("samples", distinct=True)
        )
        resource_name = "sampleset"
        always_return_data = True

    def hydrate(self, bundle):
        name = bundle.data.get("sampleGroupTypeName")
        if name and "SampleGroupType_CV" not in bundle.data:
            from rundb.models import SampleGroupType_CV

            group = SampleGroupType_CV.objects.filter(displayedName__iexact=name).first()
            if group is not None:
                bundle.obj.SampleGroupType_CV = group
        if bundle.obj.pk is None and not bundle.data.get("status"):
            bundle.data["status"] = "created"
        return bundle

    def prefetch_page(self, objs, page):
        names = {o.libraryPrepKitName for o in objs if o.libraryPrepKitName}
        page.extra["kits"] = dict(
            KitInfo.objects.filter(name__in=names).values_list("name", "description")
        ) if names else {}
        # The newest instrument prep record of each set, nested (one query per page).
        from rundb.models import SamplePrepData

        from ..base import resource_instance
        from .defaults import SamplePrepDataResource

        newest = {}
        for prep in SamplePrepData.objects.filter(sampleSet_id__in=[o.pk for o in objs]).order_by("pk"):
            newest[prep.sampleSet_id] = prep
        rows = resource_instance(SamplePrepDataResource).dehydrate_objects(list(newest.values()), page.request,
                                                                          page.for_list)
        page.extra["prep"] = {prep.sampleSet_id: row for prep, row in zip(newest.values(), rows)}

    def dehydrate_libraryPrepInstrumentData(self, bundle):
        return bundle.page.extra["prep"].get(bundle.obj.pk)

    def dehydrate_sampleCount(self, bundle):
        count = getattr(bundle.obj, "_sample_count", None)
        return count if count is not None else bundle.obj.samples.count()

    def dehydrate_sampleGroupTypeName(self, bundle):
        group = bundle.obj.SampleGroupType_CV
        return group.displayedName if group else ""

    def dehydrate_libraryPrepTypeDisplayedName(self, bundle):
        return bundle.obj.libraryPrepType or ""

    def dehydrate_libraryPrepKitDisplayedName(self, bundle):
        name = bundle.obj.libraryPrepKitName
        return bundle.page.extra["kits"].get(name, name or "") if name else ""

    def dehydrate_readyForPlanning(self, bundle):
        return self.dehydrate_sampleCount(bundle) > 0 and bundle.obj.status not in ("libPrep_pending", "voided")


class SampleSetItemResource(IonResource):
    sample = fields.ToOneField(SampleResource, "sample", null=True, blank=True)
    sampleSet = fields.ToOneField(SampleSetResource, "sampleSet", null=True, blank=True)
    dnabarcode = fields.ToOneField("rundb.api.resources.catalog.DnaBarcodeResource", "dnabarcode",
                                   null=True, blank=True)

    class Meta(IonMeta):
        queryset = SampleSetItem.objects.all()
        resource_name = "samplesetitem"
