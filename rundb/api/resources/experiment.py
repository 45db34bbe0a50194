"""Sequencing runs (experiment) and their analysis settings (experimentanalysissettings)."""
from django.core.exceptions import ValidationError
from tastypie import fields

from rundb.models import Chip, Experiment, ExperimentAnalysisSettings, Sample

from ..base import ComputedField, IonMeta, IonResource
from .result_routes import ExperimentRoutesMixin

PROTON_INSTRUMENTS = {"proton"}


class ExperimentAnalysisSettingsResource(IonResource):
    experiment = fields.ToOneField("rundb.api.resources.experiment.ExperimentResource", "experiment",
                                   null=True, blank=True)
    results = fields.ToManyField("rundb.api.resources.results.ResultsResource", "results",
                                 null=True, blank=True, readonly=True)

    class Meta(IonMeta):
        queryset = ExperimentAnalysisSettings.objects.all()
        resource_name = "experimentanalysissettings"


class ExperimentResource(ExperimentRoutesMixin, IonResource):
    """Runs. ``runtype`` is ``log.runtype`` (default GENS; writing it sets ``log.runtype``),
    ``isProton`` is "True"/"False" from the chip, ``sample`` the first sample's name.
    POST is allowed (the API reference lists it), although runs normally come from plans and the crawler.

    Writes check what Ion Chef reports (400 ``{"error": {field: [message]}}``): the cartridge
    serials are GS1 numbers (at most 20 characters), ``chefRemainingSeconds`` is a number (stored
    as whole seconds) and ``chefEndTime`` is not before ``chefStartTime`` (either may be the
    stored value)."""

    results = fields.ToManyField("rundb.api.resources.results.ResultsResource", "results",
                                 null=True, blank=True, readonly=True)
    plan = fields.ToOneField("rundb.api.resources.plan.PlannedExperimentResource", "plan", null=True, blank=True)
    eas_set = fields.ToManyField(ExperimentAnalysisSettingsResource, "eas_set", full=True, null=True,
                                 blank=True, readonly=True)
    samples = fields.ToManyField("rundb.api.resources.sample.SampleResource", "samples", null=True, blank=True)
    runtype = fields.CharField(attribute=None, null=True, blank=True)
    isProton = ComputedField("string")
    sample = ComputedField("string")

    class Meta(IonMeta):
        queryset = Experiment.objects.all()
        resource_name = "experiment"
        excludes = ["repResult"]
        always_return_data = True

    def prefetch_page(self, objs, page):
        chips = {o.chipType for o in objs if o.chipType}
        page.extra["instrument"] = dict(
            Chip.objects.filter(name__in=chips).values_list("name", "instrumentType")
        ) if chips else {}
        first = {}
        rows = Sample.experiments.through.objects.filter(experiment_id__in=[o.pk for o in objs]).order_by("pk")
        for exp_id, name in rows.values_list("experiment_id", "sample__name"):
            first.setdefault(exp_id, name or "")
        page.extra["first_sample"] = first

    def dehydrate_runtype(self, bundle):
        log = bundle.obj.log if isinstance(bundle.obj.log, dict) else {}
        return log.get("runtype") or "GENS"

    def dehydrate_isProton(self, bundle):
        itype = bundle.page.extra["instrument"].get(bundle.obj.chipType, "")
        return "True" if itype.lower() in PROTON_INSTRUMENTS else "False"

    def dehydrate_sample(self, bundle):
        return bundle.page.extra["first_sample"].get(bundle.obj.pk, "")

    def hydrate_chefRemainingSeconds(self, bundle):
        value = bundle.data.get("chefRemainingSeconds")
        if value is None or value == "" or isinstance(value, int) and not isinstance(value, bool):
            return bundle
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if number != number or abs(number) >= 2 ** 31:  # NaN, or beyond the integer column
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError({"chefRemainingSeconds": [
                f"Attribute chefRemainingSeconds requires a numeric value, got {value!r}."]})
        bundle.data["chefRemainingSeconds"] = int(number)
        return bundle

    def validate_bundle(self, bundle, creating):
        errors = bundle.obj.chef_errors()
        if errors:
            raise ValidationError(errors)

    def hydrate_runtype(self, bundle):
        if "runtype" in bundle.data:
            log = dict(bundle.obj.log or {}) if isinstance(bundle.obj.log, dict) else {}
            log["runtype"] = bundle.data["runtype"]
            bundle.obj.log = log
        return bundle
