"""Planned runs and templates (plannedexperiment) and their QC thresholds."""
from django.core.exceptions import ValidationError
from django.urls import re_path
from tastypie import fields, http
from tastypie.exceptions import BadRequest, NotFound
from tastypie.utils import trailing_slash

from rundb.models import PlannedExperiment, PlannedExperimentQC

from .. import planning
from ..base import ComputedField, IonMeta, IonResource
from .catalog import QCTypeResource


class PlannedExperimentQCResource(IonResource):
    plannedExperiment = fields.ToOneField("rundb.api.resources.plan.PlannedExperimentResource",
                                          "plannedExperiment")
    qcType = fields.ToOneField(QCTypeResource, "qcType", full=True)

    class Meta(IonMeta):
        queryset = PlannedExperimentQC.objects.select_related("qcType")
        resource_name = "plannedexperimentqc"


class PlannedExperimentResource(IonResource):
    """Plans (``isReusable=false``) and templates (``isReusable=true``).

    POST validates and resolves the body (see :mod:`rundb.api.planning`; advice that does not
    block the save comes back under ``Warnings``), then creates the plan
    with its shell Experiment, editable EAS, samples, projects (by name; missing ones are
    created) and QC thresholds (body keys named after QC types), all in one transaction.
    Replies 201 with ``Location`` and the plan; PATCH 202 and PUT 200 with the plan.
    ``projects`` is a list of project names and ``project`` the first of them.

    ``POST plannedexperiment/create/`` ``{"templateName": ..., "planName": ..., <overrides>}``
    copies a template into a new plan (202 with the plan), through the same validation.
    New plans get the default-selected plugins (plugin/services/defaults.py)."""

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
    projects = ComputedField("list")
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

    class Meta(IonMeta):
        queryset = PlannedExperiment.objects.select_related("applicationGroup", "sampleGrouping")
        resource_name = "plannedexperiment"
        always_return_data = True
        create_allowed_methods = ["post"]

    def base_urls(self):
        name = self._meta.resource_name
        return [re_path(rf"^(?P<resource_name>{name})/create{trailing_slash}$", self.wrap_view("dispatch_create"),
                        name="api_plannedexperiment_create")] + super().base_urls()

    def dispatch_create(self, request, **kwargs):
        self.is_authenticated(request)  # anonymous callers get 401 before the method check's 405
        return self.dispatch("create", request, **kwargs)

    def post_create(self, request, **kwargs):
        """A plan copied from a template (planning.plan_body_from_template)."""
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        if not isinstance(data, dict):
            raise BadRequest("The request body must be a JSON object.")
        try:
            template = planning.find_template(data.get("templateName"))
        except ValueError as exc:
            raise ValidationError({"templateName": [str(exc)]})
        bundle = self.build_bundle(data=planning.plan_body_from_template(template, data), request=request)
        bundle = self.obj_create(bundle)
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        body = self.alter_detail_data_to_serialize(request, body)
        return self.create_response(request, body, response_class=http.HttpAccepted)

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

