"""Planned runs and templates (plannedexperiment) and their QC thresholds."""
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, TextField
from tastypie import fields
from tastypie.exceptions import NotFound

from rundb.models import PlannedExperiment, PlannedExperimentQC

from .. import planning
from ..base import ComputedField, IonMeta, IonResource
from ..fields import ComputedRelatedField, JSONDictField
from .catalog import QCTypeResource
from .plan_routes import PlanRoutesMixin


def _shape_errors(data):
    """``{key: [message]}`` for objects or lists given where the plan stores text."""
    errors = {}
    for key, value in data.items():
        try:
            field = PlannedExperiment._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if isinstance(field, (CharField, TextField)) and isinstance(value, (dict, list)):
            errors[key] = [f"{key} must be a string, not {type(value).__name__}."]
    return errors


class PlannedExperimentQCResource(IonResource):
    plannedExperiment = fields.ToOneField("rundb.api.resources.plan.PlannedExperimentResource",
                                          "plannedExperiment")
    qcType = fields.ToOneField(QCTypeResource, "qcType", full=True)

    class Meta(IonMeta):
        queryset = PlannedExperimentQC.objects.select_related("qcType")
        resource_name = "plannedexperimentqc"


class PlannedExperimentResource(PlanRoutesMixin, IonResource):
    """Plans (``isReusable=false``) and templates (``isReusable=true``).

    POST validates and resolves the body (see :mod:`rundb.api.planning`; advice that does not
    block the save comes back under ``Warnings``), then creates the plan
    with its shell Experiment, editable EAS, samples, projects (by name; missing ones are
    created) and QC thresholds (body keys named after QC types), all in one transaction.
    Replies 201 with ``Location`` and the plan; PATCH 202 and PUT 200 with the plan.
    ``projects`` is a list of project names and ``project`` the first of them.

    ``POST plannedexperiment/create/`` ``{"templateName": ..., "planName": ..., <overrides>}``
    copies a template into a new plan (202 with the plan), through the same validation.
    New plans get the default-selected plugins (rundb/plan_defaults.py)."""

    applicationGroup = fields.ToOneField("rundb.api.resources.catalog.ApplicationGroupResource",
                                         "applicationGroup", null=True, blank=True)
    sampleGrouping = fields.ToOneField("rundb.api.resources.catalog.SampleGroupTypeResource", "sampleGrouping",
                                       null=True, blank=True)
    experiment = fields.ToOneField("rundb.api.resources.experiment.ExperimentResource", "experiment",
                                   null=True, readonly=True)
    sampleSets = fields.ToManyField("rundb.api.resources.sample.SampleSetResource", "sampleSets",
                                    null=True, blank=True)
    qcValues = fields.ToManyField(PlannedExperimentQCResource, "plannedexperimentqc_set", full=True,
                                  null=True, readonly=True)
    projects = ComputedRelatedField("rundb.api.resources.sample.ProjectResource", many=True)  # names
    childPlans = fields.ListField(attribute="childPlans", null=True, blank=True, default=list)
    project = ComputedField("string")
    reverselibrarykey = ComputedField("string")
    reverse3primeadapter = ComputedField("string")
    sampleGroupingName = ComputedField("string")
    applicationCategoryDisplayedName = ComputedField("string")
    applicationGroupDisplayedName = ComputedField("string")
    variantfrequency = ComputedField("string")
    sampleSetDisplayedName = ComputedField("string")
    libraryPrepType = ComputedField("string")
    libraryPrepTypeDisplayedName = ComputedField("string")
    earlyDatFileDeletion = fields.BooleanField(attribute="earlyDatFileDeletion", readonly=True, default=False)
    # The SDK reference types this JSON column "dict" (the others "string", childPlans "list").
    chefInfo = JSONDictField(attribute="chefInfo", dehydrated_type="dict", default=dict, blank=True)

    class Meta(IonMeta):
        queryset = PlannedExperiment.objects.select_related("applicationGroup", "sampleGrouping")
        resource_name = "plannedexperiment"
        always_return_data = True

    # -- representation
    def prefetch_page(self, objs, page):
        ids = [o.pk for o in objs]
        projects, sets = {}, {}
        for plan_id, name in PlannedExperiment.projects.through.objects.filter(
            plannedexperiment_id__in=ids
        ).order_by("pk").values_list("plannedexperiment_id", "project__name"):
            projects.setdefault(plan_id, []).append(name)
        for plan_id, name, prep in PlannedExperiment.sampleSets.through.objects.filter(
            plannedexperiment_id__in=ids
        ).order_by("pk").values_list("plannedexperiment_id", "sampleset__displayedName",
                                     "sampleset__libraryPrepType"):
            sets.setdefault(plan_id, []).append((name, prep or ""))
        page.extra["projects"], page.extra["sets"] = projects, sets

    def dehydrate_projects(self, bundle):
        return bundle.page.extra["projects"].get(bundle.obj.pk, [])

    def dehydrate_project(self, bundle):
        names = self.dehydrate_projects(bundle)
        return names[0] if names else ""

    def dehydrate_reverselibrarykey(self, bundle):
        return ""

    def dehydrate_reverse3primeadapter(self, bundle):
        return ""

    def dehydrate_variantfrequency(self, bundle):
        plugins = bundle.obj.selectedPlugins if isinstance(bundle.obj.selectedPlugins, dict) else {}
        user_input = (plugins.get("variantCaller") or {}).get("userInput") if isinstance(
            plugins.get("variantCaller"), dict) else None
        return (user_input or {}).get("variationtype", "") if isinstance(user_input, dict) else ""

    def dehydrate_sampleGroupingName(self, bundle):
        group = bundle.obj.sampleGrouping
        return group.displayedName if group else ""

    def dehydrate_applicationGroupDisplayedName(self, bundle):
        group = bundle.obj.applicationGroup
        return (group.description or group.name) if group else ""

    def dehydrate_applicationCategoryDisplayedName(self, bundle):
        return ""

    def dehydrate_sampleSetDisplayedName(self, bundle):
        return ",".join(name for name, _ in bundle.page.extra["sets"].get(bundle.obj.pk, []))

    def dehydrate_libraryPrepType(self, bundle):
        preps = [p for _, p in bundle.page.extra["sets"].get(bundle.obj.pk, []) if p]
        return preps[0] if preps else ""

    def dehydrate_libraryPrepTypeDisplayedName(self, bundle):
        return self.dehydrate_libraryPrepType(bundle)

    # -- writes
    def _prepare(self, bundle, plan):
        shape = _shape_errors(bundle.data)
        if shape:  # the name resolution below expects text where the plan stores text
            raise ValidationError(shape)
        errors, warnings = planning.normalize(bundle.data, plan)
        bundle.request._plan_warnings = dict(warnings)
        groupings, more = planning.resolve_groupings(bundle.data)
        for key, messages in more.items():
            errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(dict(errors))
        return groupings

    def obj_create(self, bundle, **kwargs):
        groupings = self._prepare(bundle, None)
        bundle.obj = PlannedExperiment()
        for key, value in self.remove_api_resource_names(kwargs).items():
            setattr(bundle.obj, key, value)
        bundle = self.full_hydrate(bundle)
        for key, value in groupings.items():
            setattr(bundle.obj, key, value)
        planning.fill_new_plan_defaults(bundle.obj, bundle.data)
        return self.save(bundle, creating=True)

    def obj_update(self, bundle, skip_errors=False, **kwargs):
        pk = self.remove_api_resource_names(kwargs).get("pk")
        try:
            plan = self.get_object_list(bundle.request).get(pk=pk)
        except (PlannedExperiment.DoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(f"No plannedexperiment with id '{pk}'.")
        bundle.obj = plan
        self.authorized_update_detail(self.get_object_list(bundle.request), bundle)
        groupings = self._prepare(bundle, plan)
        bundle = self.full_hydrate(bundle)
        for key, value in groupings.items():
            setattr(bundle.obj, key, value)
        return self.save(bundle, creating=False)

    def alter_detail_data_to_serialize(self, request, data):
        warnings = getattr(request, "_plan_warnings", None)
        if warnings:
            data["Warnings"] = warnings  # as the original: advice that did not block the save
        return data

    def after_save(self, bundle, creating):
        planning.save_related(bundle.obj, bundle.data, bundle.request.user, creating)

