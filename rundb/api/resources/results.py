"""Analysis reports (results) and the read models of the data pages
(compositeexperiment, compositeresult)."""
import json

from django.core.exceptions import ValidationError
from django.db.models import JSONField, OuterRef, Q, Subquery
from django.http import HttpResponse
from tastypie import fields

from rundb.models import (
    AnalysisMetrics,
    Chip,
    Experiment,
    ExperimentAnalysisSettings,
    LibMetrics,
    PlannedExperiment,
    PluginResult,
    PluginResultJob,
    Project,
    QualityMetrics,
    ReportStorage,
    Results,
    Sample,
)
from rundb.chef import NOT_CARTRIDGE_USES
from rundb.jobstates import plugin_state_from_jobs
from rundb.models.experiment import CHEF_SERIALS
from rundb.paths import name_problem

from ..base import ComputedField, IonMeta, IonResource, ReadOnlyMeta, json_response
from ..computed import to_boolean
from ..params import filter_thumbnails
from ..routes import guard, route
from .site import ReportStorageResource
from . import composite_filters
from .result_routes import ResultRoutesMixin


def report_folder(result, storage):
    return f"{result.resultsName}_{result.pk:03d}"


def report_web_root(result, storage):
    """Web path of the report folder with a trailing slash."""
    if result.reportLink:
        link = result.reportLink
        return link if link.endswith("/") else link.rsplit("/", 1)[0] + "/"
    web = (storage.webServerPath if storage else "/output").rstrip("/")
    return f"{web}/{report_folder(result, storage)}/"


class ResultsResource(ResultRoutesMixin, IonResource):
    """Reports. ``pluginState``/``pluginStore`` (``{plugin name: state|store}``, newest run per
    name wins) are in every detail response and in lists only with ``?plugin=true``;
    ``?noplugin=1`` removes them from details (and empties them in lists).
    ``?isThumbnail=yes|no`` keeps only thumbnail / full-chip reports."""

    reportstorage = fields.ToOneField(ReportStorageResource, "reportstorage", full=True)
    experiment = fields.ToOneField("rundb.api.resources.experiment.ExperimentResource", "experiment",
                                   null=True, blank=True)
    eas = fields.ToOneField("rundb.api.resources.experiment.ExperimentAnalysisSettingsResource", "eas",
                            null=True, blank=True)
    projects = fields.ToManyField("rundb.api.resources.sample.ProjectResource", "projects", null=True, blank=True)
    libmetrics = fields.ToManyField("rundb.api.resources.metrics.LibMetricsResource", "libmetrics",
                                    readonly=True, null=True)
    tfmetrics = fields.ToManyField("rundb.api.resources.metrics.TFMetricsResource", "tfmetrics",
                                   readonly=True, null=True)
    analysismetrics = fields.ToManyField("rundb.api.resources.metrics.AnalysisMetricsResource", "analysismetrics",
                                         readonly=True, null=True)
    qualitymetrics = fields.ToManyField("rundb.api.resources.metrics.QualityMetricsResource", "qualitymetrics",
                                        readonly=True, null=True)
    pluginresults = fields.ToManyField("rundb.api.resources.plugin.PluginResultResource", "pluginresults",
                                       readonly=True, null=True)
    filesystempath = ComputedField("string")
    bamLink = ComputedField("string")
    planShortID = ComputedField("string")
    pluginState = ComputedField("dict")
    pluginStore = ComputedField("dict")

    class Meta(IonMeta):
        queryset = Results.objects.all()
        resource_name = "results"

    # -- query parameters of our own
    def apply_custom_filters(self, queryset, request):
        return filter_thumbnails(queryset, request)

    def include_field(self, name, page):
        if name in ("pluginState", "pluginStore"):
            query = page.request.GET if page.request is not None else {}
            noplugin = bool(query.get("noplugin"))
            if page.for_list:
                return "plugin" in query and to_boolean(query.get("plugin"))
            return not noplugin
        return True

    # -- batch loads for computed fields
    def prefetch_page(self, objs, page):
        storages = page.extra.get("objects", {}).get("reportstorage")
        if storages is None:
            wanted = {o.reportstorage_id for o in objs}
            storages = {s.pk: s for s in ReportStorage.objects.filter(pk__in=wanted)}
        page.extra["storages"] = storages
        exp_ids = {o.experiment_id for o in objs if o.experiment_id}
        info = {}
        if exp_ids:
            rows = Experiment.objects.filter(pk__in=exp_ids).values_list(
                "pk", "expName", "log__planned_run_short_id", "log__pending_run_short_id", "plan__planShortID"
            )
            for pk, name, planned, pending, plan_short in rows:
                info[pk] = (name, planned or pending or plan_short or "")
        page.extra["experiments"] = info
        query = page.request.GET if page.request is not None else {}
        wants_plugins = "pluginState" in page.values or self.include_field("pluginState", page)
        if wants_plugins and not (page.for_list and query.get("noplugin")):
            page.extra["plugins"] = plugin_summaries([o.pk for o in objs])
        else:
            page.extra["plugins"] = {}

    def _storage(self, bundle):
        # Already loaded (once per page) for the nested ``reportstorage``.
        storage = bundle.page.extra.get("storages", {}).get(bundle.obj.reportstorage_id)
        if storage is None:
            storage = bundle.obj.reportstorage
            bundle.page.extra.setdefault("storages", {})[storage.pk] = storage
        return storage

    def dehydrate_filesystempath(self, bundle):
        obj = bundle.obj
        return f"{self._storage(bundle).dirPath.rstrip('/')}/{report_folder(obj, None)}"

    def dehydrate_bamLink(self, bundle):
        obj = bundle.obj
        exp = bundle.page.extra["experiments"].get(obj.experiment_id)
        if exp is None:
            return "False"
        return f"{report_web_root(obj, self._storage(bundle))}download_links/{exp[0]}_{obj.resultsName}.bam"

    def dehydrate_planShortID(self, bundle):
        exp = bundle.page.extra["experiments"].get(bundle.obj.experiment_id)
        return exp[1] if exp else ""

    def dehydrate_pluginState(self, bundle):
        return {name: s for name, (s, _) in bundle.page.extra["plugins"].get(bundle.obj.pk, {}).items()}

    def dehydrate_pluginStore(self, bundle):
        return {name: st for name, (_, st) in bundle.page.extra["plugins"].get(bundle.obj.pk, {}).items()}

    # -- writes
    def validate_bundle(self, bundle, creating):
        # The name becomes the report folder's name (<resultsName>_<pk>): no '/', '..', NUL.
        problem = name_problem(bundle.obj.resultsName) if bundle.obj.resultsName else None
        if problem:
            raise ValidationError({"resultsName": [f"resultsName {problem} (it names the report folder)."]})

    def hydrate(self, bundle):
        if bundle.obj.pk is None and not bundle.data.get("reportstorage"):
            storage = ReportStorage.objects.filter(default=True).first() or ReportStorage.objects.first()
            if storage is not None:
                bundle.obj.reportstorage = storage
        return bundle


def plugin_summaries(result_ids):
    """{result id: {plugin name: (state, store)}}; the newest run of each plugin wins."""
    runs = list(
        PluginResult.objects.filter(result_id__in=result_ids)
        .order_by("pk")
        .values_list("pk", "result_id", "plugin__name", "store", "validation_errors")
    )
    jobs = {}
    if runs:
        for pr_id, pk, state, start in PluginResultJob.objects.filter(
            plugin_result_id__in=[r[0] for r in runs]
        ).values_list("plugin_result_id", "pk", "state", "starttime"):
            jobs.setdefault(pr_id, []).append((pk, state, start))
    out = {}
    for pr_id, result_id, name, store, errors in runs:
        out.setdefault(result_id, {})[name] = (plugin_state_from_jobs(errors, jobs.get(pr_id, [])), store or {})
    return out


# ---------------------------------------------------------------- data-page read models

class CompositeProjectResource(IonResource):
    class Meta(ReadOnlyMeta):
        queryset = Project.objects.all()
        resource_name = "compositeproject"
        fields = ["id", "name", "modified"]
        embedded = True


class CompositeEASResource(IonResource):
    chipType = ComputedField("string")
    references = ComputedField("string")
    isPQ = ComputedField("boolean")

    class Meta(ReadOnlyMeta):
        queryset = ExperimentAnalysisSettings.objects.select_related("experiment")
        resource_name = "compositeeas"
        fields = ["reference", "barcodeKitName"]
        embedded = True

    def dehydrate_chipType(self, bundle):
        exp = bundle.obj.experiment
        return exp.chipType if exp else ""

    def dehydrate_references(self, bundle):
        return eas_references(bundle.obj)

    def dehydrate_isPQ(self, bundle):
        return self.dehydrate_chipType(bundle).upper().startswith("PQ")


def eas_references(eas):
    return references_of(eas.barcodedSamples, eas.reference)


def references_of(barcoded, reference):
    """The reference of the barcoded samples: one name, "Multiple references", or ``reference``."""
    refs = []
    for info in barcoded.values() if isinstance(barcoded, dict) else []:
        for bc in (info.get("barcodeSampleInfo") or {}).values() if isinstance(info, dict) else []:
            ref = bc.get("reference") if isinstance(bc, dict) else None
            if ref and ref not in refs:
                refs.append(ref)
    if not refs:
        return reference or ""
    return refs[0] if len(refs) == 1 else "Multiple references"


class CompositeLibMetricsResource(IonResource):
    class Meta(ReadOnlyMeta):
        queryset = LibMetrics.objects.only("id", "report_id", "i100Q20_reads", "q20_mean_alignment_length",
                                           "aveKeyCounts")
        resource_name = "compositelibmetrics"
        fields = ["id", "i100Q20_reads", "q20_mean_alignment_length", "aveKeyCounts"]
        embedded = True


class CompositeAnalysisMetricsResource(IonResource):
    total_wells = fields.IntegerField(attribute="total", readonly=True)

    class Meta(ReadOnlyMeta):
        queryset = AnalysisMetrics.objects.only("id", "report_id", "bead", "empty", "excluded", "pinned", "ignored",
                                                "lib", "libFinal", "live", "total")
        resource_name = "compositeanalysismetrics"
        fields = ["id", "bead", "empty", "excluded", "pinned", "ignored", "lib", "libFinal", "live"]
        embedded = True


class CompositeQualityMetricsResource(IonResource):
    class Meta(ReadOnlyMeta):
        queryset = QualityMetrics.objects.only("id", "report_id", "q0_bases", "q20_bases", "q20_mean_read_length",
                                               "q0_mean_read_length", "q0_reads", "q20_reads")
        resource_name = "compositequalitymetrics"
        fields = ["id", "q0_bases", "q20_bases", "q20_mean_read_length", "q0_mean_read_length", "q0_reads",
                  "q20_reads"]
        embedded = True


def status_display(status):
    if not status:
        return ""
    if status.startswith("Completed"):
        return "Completed"
    low = status.lower()
    if "error" in low or "fail" in low:
        return "Error"
    if status in ("Started", "Pending", "Queued") or "progress" in low or "processing" in low:
        return "Progress"
    return "Other"


# Only the columns the data-page read models show (plus keys): the wide rows and their JSON
# columns (metaData, log, selectedPlugins ...) dominated nested list time (bench/api_list.py).
COMPOSITE_RESULT_COLUMNS = (
    "id", "experiment", "eas", "resultsName", "processedflows", "timeStamp", "status", "reportLink",
    "representative", "reportStatus", "autoExempt",
    "eas__id", "eas__experiment", "eas__reference", "eas__barcodeKitName", "eas__barcodedSamples",
    "eas__experiment__id", "eas__experiment__chipType",
)


def composite_results():
    return Results.objects.select_related("eas__experiment").only(*COMPOSITE_RESULT_COLUMNS)


class CompositeResultResource(IonResource):
    """Reports as the data pages show them: nested projects, EAS summary and one row of each
    metrics table (``analysis_metrics``/``quality_metrics`` repeat them under the old names)."""

    projects = fields.ToManyField(CompositeProjectResource, "projects", full=True, readonly=True)
    eas = fields.ToOneField(CompositeEASResource, "eas", full=True, null=True, readonly=True)
    analysismetrics = fields.ToOneField(CompositeAnalysisMetricsResource, "analysismetrics", full=True,
                                        null=True, readonly=True)
    libmetrics = fields.ToOneField(CompositeLibMetricsResource, "libmetrics", full=True, null=True, readonly=True)
    qualitymetrics = fields.ToOneField(CompositeQualityMetricsResource, "qualitymetrics", full=True,
                                       null=True, readonly=True)
    isShowAllMetrics = ComputedField("boolean")
    status_display = ComputedField("string")

    class Meta(IonMeta):
        queryset = composite_results()
        resource_name = "compositeresult"
        fields = ["id", "resultsName", "processedflows", "timeStamp", "status", "reportLink", "representative",
                  "reportStatus", "autoExempt"]
        # Writes (e.g. the data page's star / keep toggles) go to the model, with its permissions.

    def dehydrate_isShowAllMetrics(self, bundle):
        return True

    def dehydrate_status_display(self, bundle):
        return status_display(bundle.obj.status)

    def dehydrate(self, bundle):
        bundle.data["analysis_metrics"] = bundle.data.get("analysismetrics")
        bundle.data["quality_metrics"] = bundle.data.get("qualitymetrics")
        return bundle


class CompositePlanResource(IonResource):
    class Meta(ReadOnlyMeta):
        queryset = PlannedExperiment.objects.all()
        resource_name = "compositeplan"
        fields = ["id", "runType", "sampleTubeLabel"]
        embedded = True


def _chip(column):
    return Subquery(Chip.objects.filter(name=OuterRef("chipType")).order_by("pk").values(column)[:1])


def _latest_eas(column, output_field=None):
    rows = ExperimentAnalysisSettings.objects.filter(experiment=OuterRef("pk")).order_by("-pk").values(column)[:1]
    return Subquery(rows, output_field=output_field) if output_field else Subquery(rows)


TABLE_MODE_SESSION_KEY = "data_table_full"


def _table_mode_from_body(body):
    """``full`` (raw, or as a JSON string) means the full table; anything else the compact one."""
    text = body.decode("utf-8", "replace").strip() if body else ""
    if text.startswith('"'):
        try:
            text = json.loads(text)
        except ValueError:
            pass
    return text == "full"


TABLE_MODE_SHAPES = {"methods": {
    "get": {"summary": "The data page's table mode of this session", "tag": "compositeexperiment",
            "responses": {200: {"type": "object", "required": ["full"], "properties": {"full": {"type": "boolean"}}}}},
    "post": {"summary": "Choose the data page's table mode: body full, or anything else for compact",
             "tag": "compositeexperiment", "body": {"type": "string"}, "body_type": "text/plain",
             "responses": {204: None}},
}}


def composite_table_full(request):
    """Whether this browser session chose the data page's full table (compositeexperiment/show/)."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(TABLE_MODE_SESSION_KEY) is True)


class CompositeExperimentResource(IonResource):
    """Runs with their reports, for the data pages and the API examples' "completed runs" client.
    Excludes planned shells and report-only placeholders; newest ``resultDate`` first.
    ``?all_text=a OR b`` searches run names, report names, notes, short ids and chip barcodes;
    ``?result_status=Completed|Error|Progress|Other`` keeps runs with such a report.

    ``?chefReagentsSerialNum=R&chefSolutionsSerialNum=S`` (both) asks which runs used either Ion
    Chef cartridge: the two match with OR, and planned runs without data count (a cartridge is
    used at templating, before sequencing), only ``pending`` / ``transferred`` ones do not. One
    of them alone is an ordinary field filter.

    ``POST compositeexperiment/show/`` with body ``full`` (anything else: the compact table)
    records the data page's table mode in the caller's session (204); GET reads it back."""

    plan = fields.ToOneField(CompositePlanResource, "plan", full=True, null=True, readonly=True)
    repResult = fields.ToOneField(CompositeResultResource, "repResult", null=True, readonly=True)
    results = fields.ToManyField(CompositeResultResource, "results", full=True, readonly=True)
    _host = ComputedField("string")
    chipDescription = ComputedField("string")
    chipInstrumentType = ComputedField("string")
    sample = ComputedField("string")
    sampleDisplayedName = ComputedField("string")
    barcodeId = ComputedField("string")
    library = ComputedField("string")
    barcodedSamples = ComputedField("dict")
    references = ComputedField("string")
    keep = ComputedField("boolean")
    applicationCategoryDisplayedName = ComputedField("string")
    sampleSetName = ComputedField("string")

    class Meta(IonMeta):
        queryset = Experiment.objects.select_related("plan").only(
            "id", "expName", "displayName", "chipType", "date", "flows", "ftpStatus", "notes", "pgmName", "resultDate",
            "runMode", "star", "storage_options", "platform", "status", "repResult", "plan",
            "plan__id", "plan__runType", "plan__sampleTubeLabel",
            *CHEF_SERIALS, "chefStartTime",
        ).exclude(expName="NONE_ReportOnly_NONE").annotate(**{
                # Chip and newest-EAS facts ride along in the main query (no extra round trips).
                "_chip_description": _chip("description"),
                "_chip_instrument": _chip("instrumentType"),
                "_eas_barcode_kit": _latest_eas("barcodeKitName"),
                "_eas_reference": _latest_eas("reference"),
                "_eas_barcoded": _latest_eas("barcodedSamples", JSONField()),
            }).order_by("-resultDate", "-pk")
        resource_name = "compositeexperiment"
        fields = ["id", "expName", "displayName", "chipType", "date", "flows", "ftpStatus", "notes", "pgmName",
                  "resultDate", "runMode", "star", "storage_options", "platform", "status", *CHEF_SERIALS,
                  "chefStartTime"]
        # Writes (e.g. the data page's star / keep toggles) go to the model, with its permissions.

    def prepend_urls(self):
        show = route(self, r"show/$", "table_mode", "authenticated")
        if self._meta.api_name == "v1":  # the document covers v1; the mesh mount's copy stays out
            show.callback.openapi = TABLE_MODE_SHAPES
        return [show]

    def table_mode(self, request, **kwargs):
        method = guard(self, request, ["get", "post"], "authenticated")
        if method == "post":
            request.session[TABLE_MODE_SESSION_KEY] = _table_mode_from_body(request.body)
            return HttpResponse(status=204)
        return json_response({"full": composite_table_full(request)})

    @staticmethod
    def chef_serials(request):
        """Both cartridge serials of the query, or None (then they are ordinary filters)."""
        if request is None:
            return None
        values = tuple(request.GET.get(name, "") for name in CHEF_SERIALS)
        return values if all(values) else None

    def get_object_list(self, request):
        queryset = super().get_object_list(request)
        if self.chef_serials(request):
            return queryset.exclude(status__in=NOT_CARTRIDGE_USES)
        return queryset.exclude(status="planned").exclude(expDir="")

    def consumed_filters(self, request):
        # The pair is one OR condition (apply_custom_filters), not two ANDed field filters.
        return CHEF_SERIALS if self.chef_serials(request) else ()

    def related_queryset(self, name, page):
        if name == "results":
            return composite_filters.nested_results(
                composite_results().order_by("-representative", "-timeStamp", "-pk"), page.request)
        return super().related_queryset(name, page)

    def apply_custom_filters(self, queryset, request):
        if request is None:
            return queryset
        text = request.GET.get("all_text")
        if text:
            cond = Q()
            for term in [t.strip() for t in text.split(" OR ") if t.strip()]:
                cond |= (Q(expName__icontains=term) | Q(results__resultsName__icontains=term)
                         | Q(notes__icontains=term) | Q(plan__planShortID=term) | Q(plan__sampleTubeLabel=term)
                         | Q(chipBarcode=term))
            queryset = queryset.filter(cond).distinct()
        serials = self.chef_serials(request)
        if serials:
            reagents, solutions = serials
            queryset = queryset.filter(Q(chefReagentsSerialNum=reagents) | Q(chefSolutionsSerialNum=solutions))
        return composite_filters.apply(queryset, request.GET)

    def prefetch_page(self, objs, page):
        ids = [o.pk for o in objs]
        samples = {}
        for exp_id, name, shown in Sample.experiments.through.objects.filter(experiment_id__in=ids).order_by(
            "pk"
        ).values_list("experiment_id", "sample__name", "sample__displayedName"):
            samples.setdefault(exp_id, []).append((name or "", shown or name or ""))
        page.extra["samples"] = samples
        sets = {}
        plan_ids = {o.plan_id: o.pk for o in objs if o.plan_id}
        if plan_ids:
            through = PlannedExperiment.sampleSets.through
            for plan_id, set_name in through.objects.filter(plannedexperiment_id__in=plan_ids).values_list(
                "plannedexperiment_id", "sampleset__displayedName"
            ):
                sets.setdefault(plan_ids[plan_id], []).append(set_name)
        page.extra["sets"] = sets

    def dehydrate__host(self, bundle):
        return bundle.request.get_host() if bundle.request is not None else ""

    def dehydrate_chipDescription(self, bundle):
        return getattr(bundle.obj, "_chip_description", None) or bundle.obj.chipType

    def dehydrate_chipInstrumentType(self, bundle):
        return getattr(bundle.obj, "_chip_instrument", None) or ""

    def _samples(self, bundle):
        return bundle.page.extra["samples"].get(bundle.obj.pk, [])

    def dehydrate_sample(self, bundle):
        rows = self._samples(bundle)
        return rows[0][0] if len(rows) == 1 else (f"{len(rows)} Samples ..." if rows else "")

    def dehydrate_sampleDisplayedName(self, bundle):
        rows = self._samples(bundle)
        return rows[0][1] if len(rows) == 1 else (f"{len(rows)} Samples ..." if rows else "")

    def dehydrate_barcodeId(self, bundle):
        return getattr(bundle.obj, "_eas_barcode_kit", None) or ""

    def dehydrate_library(self, bundle):
        return getattr(bundle.obj, "_eas_reference", None) or ""

    def dehydrate_barcodedSamples(self, bundle):
        value = getattr(bundle.obj, "_eas_barcoded", None)
        return value if isinstance(value, dict) else {}

    def dehydrate_references(self, bundle):
        return references_of(self.dehydrate_barcodedSamples(bundle), self.dehydrate_library(bundle))

    def dehydrate_keep(self, bundle):
        return bundle.obj.storage_options == "KI"

    def dehydrate_applicationCategoryDisplayedName(self, bundle):
        return ""

    def dehydrate_sampleSetName(self, bundle):
        return ",".join(bundle.page.extra["sets"].get(bundle.obj.pk, []))
