"""Read models of the monitor and data-management pages, and small operational tables:
monitorresult, compositedatamanagement, datamanagementhistory, clusterinfohistory, projectresults,
monitordata, filemonitor, supportupload, emailaddress, log."""
import datetime as dt
import os
import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from tastypie import fields
from tastypie.constants import ALL_WITH_RELATIONS
from tastypie.exceptions import BadRequest

from rundb.models import (
    Chip,
    EmailAddress,
    EventLog,
    Experiment,
    FileMonitor,
    MonitorData,
    PlannedExperimentQC,
    Results,
    SupportUpload,
    UserEventLog,
)

from ..base import ComputedField, IonMeta, IonResource, json_response
from ..params import filter_thumbnails, query_param
from ..routes import guard, route
from .results import (
    CompositeAnalysisMetricsResource,
    CompositeLibMetricsResource,
    CompositePlanResource,
    CompositeProjectResource,
    CompositeQualityMetricsResource,
)

TRANSFER_DONE = ("Complete", "Completed", "User Aborted", "Missing File(s)", "Lost Chip Connection")


def _regex(value, name):
    try:
        re.compile(value)
    except re.error as exc:
        raise BadRequest(f"{name} is not a valid regular expression: {exc}")
    return value


# ------------------------------------------------------------------ monitor page

class MonitorExperimentResource(IonResource):
    """The run a monitored report belongs to, with its plan, chip and QC thresholds."""

    plan = fields.ToOneField(CompositePlanResource, "plan", full=True, null=True, readonly=True)
    chipDescription = ComputedField("string")
    chipInstrumentType = ComputedField("string")
    qcThresholds = ComputedField("dict")

    class Meta(IonMeta):
        queryset = Experiment.objects.select_related("plan")
        resource_name = "monitorexperiment"
        fields = ["id", "expName", "displayName", "pgmName", "chipType", "date", "flows", "ftpStatus", "notes",
                  "platform", "runMode", "status", "storage_options", "star", "resultDate"]
        embedded = True

    def prefetch_page(self, objs, page):
        chips = {c.name: c for c in Chip.objects.filter(name__in={o.chipType for o in objs})}
        qc = {}
        for plan_id, name, threshold in PlannedExperimentQC.objects.filter(
            plannedExperiment_id__in={o.plan_id for o in objs if o.plan_id}
        ).values_list("plannedExperiment_id", "qcType__qcName", "threshold"):
            qc.setdefault(plan_id, {})[name] = threshold
        page.extra["chips"], page.extra["qc"] = chips, qc

    def dehydrate_chipDescription(self, bundle):
        chip = bundle.page.extra["chips"].get(bundle.obj.chipType)
        return chip.description if chip else ""

    def dehydrate_chipInstrumentType(self, bundle):
        chip = bundle.page.extra["chips"].get(bundle.obj.chipType)
        return chip.instrumentType if chip else ""

    def dehydrate_qcThresholds(self, bundle):
        return bundle.page.extra["qc"].get(bundle.obj.plan_id, {})


class MonitorResultResource(IonResource):
    """Reports of the last 2 days, or of runs still transferring from the last week (newest first)."""

    experiment = fields.ToOneField(MonitorExperimentResource, "experiment", full=True, readonly=True)
    eas = fields.ToOneField("rundb.api.resources.experiment.ExperimentAnalysisSettingsResource", "eas",
                            null=True, readonly=True)
    projects = fields.ToManyField(CompositeProjectResource, "projects", full=True, readonly=True)
    analysismetrics = fields.ToOneField(CompositeAnalysisMetricsResource, "analysismetrics", full=True,
                                        null=True, readonly=True)
    libmetrics = fields.ToOneField(CompositeLibMetricsResource, "libmetrics", full=True, null=True, readonly=True)
    qualitymetrics = fields.ToOneField(CompositeQualityMetricsResource, "qualitymetrics", full=True,
                                       null=True, readonly=True)
    barcodeId = fields.CharField(attribute="eas__barcodeKitName", null=True, readonly=True)
    library = fields.CharField(attribute="eas__reference", null=True, readonly=True)

    class Meta(IonMeta):
        queryset = Results.objects.select_related("eas", "experiment")
        resource_name = "monitorresult"
        fields = ["id", "resultsName", "processedflows", "timeStamp", "status", "reportLink", "representative",
                  "reportStatus", "autoExempt"]

    def get_object_list(self, request):
        now = timezone.now()
        recent = Q(timeStamp__gte=now - dt.timedelta(days=2))
        transferring = Q(experiment__date__gte=now - dt.timedelta(days=7)) & ~Q(experiment__ftpStatus__in=TRANSFER_DONE)
        return (super().get_object_list(request).filter(recent | transferring)
                .exclude(experiment__expName="NONE_ReportOnly_NONE").exclude(experiment__status="planned")
                .exclude(experiment__expDir="").order_by("-timeStamp", "-pk"))


# ------------------------------------------------------------------ data management

def _dir_size_mb(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total / (1024 * 1024)


class CompositeDataManagementResource(IonResource):
    """Reports with raw data, and where each file category stands.

    This server has no archive/export engine, so a category is "Local" while its folder is on
    disk and "Deleted" otherwise; ``*_keep`` follows the run's ``storage_options`` ("KI": keep)
    and nothing is ever ``in_process``. ``?search_name=<regex>`` matches run or report names."""

    expDir = fields.CharField(attribute="experiment__expDir", readonly=True)
    expName = fields.CharField(attribute="experiment__expName", readonly=True)
    in_process = ComputedField("boolean")
    sigproc_state = ComputedField("string")
    basecall_state = ComputedField("string")
    output_state = ComputedField("string")
    misc_state = ComputedField("string")
    sigproc_keep = ComputedField("string", served_type="boolean")  # the reference types it "string"
    basecall_keep = ComputedField("string", served_type="boolean")  # the reference types it "string"
    output_keep = ComputedField("string", served_type="boolean")  # the reference types it "string"
    misc_keep = ComputedField("string", served_type="boolean")  # the reference types it "string"

    class Meta(IonMeta):
        queryset = Results.objects.select_related("experiment", "reportstorage")
        resource_name = "compositedatamanagement"
        fields = ["id", "resultsName", "timeStamp", "diskusage"]

    def get_object_list(self, request):
        return super().get_object_list(request).exclude(experiment__expDir="").exclude(experiment__isnull=True)

    def ignores_filter(self, name):
        return name in ("search_name", "sigproc_filter", "basecall_filter", "output_filter", "misc_filter")

    def apply_custom_filters(self, queryset, request):
        name = query_param(request, "search_name")
        if name:
            pattern = _regex(name, "search_name")
            queryset = queryset.filter(Q(experiment__expName__iregex=pattern) | Q(resultsName__iregex=pattern))
        return queryset

    def _folders(self, obj):
        report = ""
        if obj.reportstorage_id:
            from .results import report_folder

            report = os.path.join(obj.reportstorage.dirPath, report_folder(obj, obj.reportstorage))
        raw = obj.experiment.expDir if obj.experiment else ""
        return {"sigproc": raw, "basecall": os.path.join(report, "basecaller_results") if report else "",
                "output": report, "misc": os.path.join(report, "sigproc_results") if report else ""}

    def dehydrate_in_process(self, bundle):
        return False

    def prefetch_page(self, objs, page):
        info = {}
        for obj in objs:
            keep = obj.experiment.storage_options == "KI" if obj.experiment else False
            info[obj.pk] = {category: (bool(path) and os.path.isdir(path), path, keep)
                            for category, path in self._folders(obj).items()}
        page.extra["dm"] = info

    def dehydrate(self, bundle):
        # Disk use is measured (a folder walk) only for a single report.
        for category, (present, path, _keep) in bundle.page.extra["dm"][bundle.obj.pk].items():
            bundle.data[f"{category}_diskspace"] = _dir_size_mb(path) if present and not bundle.page.for_list else None
        return bundle


def _dm_getter(category, index):
    def getter(self, bundle):
        value = bundle.page.extra["dm"][bundle.obj.pk][category]
        return ("Local" if value[0] else "Deleted") if index == "state" else value[2]

    return getter


for _category in ("sigproc", "basecall", "output", "misc"):
    for _index in ("state", "keep"):
        setattr(CompositeDataManagementResource, f"dehydrate_{_category}_{_index}", _dm_getter(_category, _index))


class DataManagementHistoryResource(IonResource):
    """Event-log lines of reports; ``?resultsName=<regex>`` selects reports by name."""

    resultsName = ComputedField("string")

    class Meta(IonMeta):
        queryset = EventLog.objects.all()
        resource_name = "datamanagementhistory"
        excludes = ["content_type"]

    def get_object_list(self, request):
        return super().get_object_list(request).filter(content_type=ContentType.objects.get_for_model(Results))

    def ignores_filter(self, name):
        return name == "resultsName"

    def apply_custom_filters(self, queryset, request):
        name = query_param(request, "resultsName")
        if name:
            ids = Results.objects.filter(resultsName__iregex=_regex(name, "resultsName")).values("pk")
            queryset = queryset.filter(object_pk__in=ids)
        return queryset

    def prefetch_page(self, objs, page):
        page.extra["names"] = dict(Results.objects.filter(pk__in={o.object_pk for o in objs})
                                   .values_list("pk", "resultsName"))

    def dehydrate_resultsName(self, bundle):
        return bundle.page.extra["names"].get(bundle.obj.object_pk)


CLUSTER_USER = "cluster"


def log_cluster_event(node, text):
    """Record a compute-node health change; ``text`` holds ``key: value`` lines (state, error ...)."""
    return EventLog.objects.create(username=CLUSTER_USER, text=f"{node}\n{text}")


class ClusterInfoHistoryResource(IonResource):
    """Compute-node health events (event-log lines written by :func:`log_cluster_event`).
    The first line names the node; ``key: value`` lines are added as keys of the row.
    ``GET clusterinfohistory/clear/`` (staff) deletes them all: 202."""

    name = ComputedField("string")

    class Meta(IonMeta):
        queryset = EventLog.objects.all()
        resource_name = "clusterinfohistory"
        excludes = ["content_type"]

    def get_object_list(self, request):
        return super().get_object_list(request).filter(username=CLUSTER_USER, content_type__isnull=True)

    def prepend_urls(self):
        return [route(self, r"clear/$", "clear", "staff")]

    def clear(self, request, **kwargs):
        guard(self, request, ["get", "post"], "staff")
        deleted, _ = self.get_object_list(request).delete()
        return json_response({"deleted": deleted}, status=202)

    def ignores_filter(self, name):
        return name == "name"

    def apply_custom_filters(self, queryset, request):
        name = query_param(request, "name")
        if name:
            queryset = queryset.filter(Q(text__startswith=name + "\n") | Q(text=name))
        return queryset

    def dehydrate_name(self, bundle):
        return bundle.obj.text.split("\n", 1)[0]

    def dehydrate(self, bundle):
        for line in bundle.obj.text.split("\n")[1:]:
            key, sep, value = line.partition(":")
            if sep and key.strip() and key.strip() not in bundle.data:
                bundle.data[key.strip()] = value.strip()
        return bundle


PROJECT_RESULTS_FIELDS = ("id", "resultsName", "timeStamp", "projects", "status", "reportLink", "reportStatus",
                          "reference")


class ProjectResultsResource(IonResource):
    """Reports as the project pages list them; ``?isThumbnail=yes|no`` as on ``results``."""

    projects = fields.ToManyField("rundb.api.resources.sample.ProjectResource", "projects", null=True, blank=True)

    class Meta(IonMeta):
        queryset = Results.objects.all()
        resource_name = "projectresults"
        excludes = ["reportstorage", "experiment", "eas"]
        filter_fields = {name: ALL_WITH_RELATIONS for name in PROJECT_RESULTS_FIELDS}
        order_fields = list(PROJECT_RESULTS_FIELDS)

    def ignores_filter(self, name):
        return name == "isThumbnail"

    def apply_custom_filters(self, queryset, request):
        return filter_thumbnails(queryset, request)


# ------------------------------------------------------------------ small tables

class MonitorDataResource(IonResource):
    class Meta(IonMeta):
        queryset = MonitorData.objects.all()
        resource_name = "monitordata"


class FileMonitorResource(IonResource):
    class Meta(IonMeta):
        queryset = FileMonitor.objects.all()
        resource_name = "filemonitor"


class EmailAddressResource(IonResource):
    class Meta(IonMeta):
        queryset = EmailAddress.objects.all()
        resource_name = "emailaddress"


class UserEventLogResource(IonResource):
    upload = fields.ToOneField("rundb.api.resources.site.ContentUploadResource", "upload")

    class Meta(IonMeta):
        queryset = UserEventLog.objects.all()
        resource_name = "log"


SUPPORT_NOT_CONFIGURED = "Support upload is not configured on this server; nothing was sent."


class SupportUploadResource(IonResource):
    """Support-ticket uploads of a report. This server has no support service to send to: a new
    row is stored with ``local_status`` "Not configured" and says so in ``local_message``."""

    result = fields.ToOneField("rundb.api.resources.results.ResultsResource", "result")
    file = fields.ToOneField(FileMonitorResource, "file", null=True, blank=True)

    class Meta(IonMeta):
        queryset = SupportUpload.objects.all()
        resource_name = "supportupload"

    def validate_bundle(self, bundle, creating):
        if creating:
            bundle.obj.local_status = "Not configured"
            bundle.obj.local_message = SUPPORT_NOT_CONFIGURED


RESOURCES = [
    MonitorResultResource, CompositeDataManagementResource, DataManagementHistoryResource,
    ClusterInfoHistoryResource, ProjectResultsResource, MonitorDataResource, FileMonitorResource,
    EmailAddressResource, UserEventLogResource, SupportUploadResource,
]
