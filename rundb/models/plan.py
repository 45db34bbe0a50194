"""Planned runs (templates and plans)."""
import random
import string
import uuid

from django.conf import settings
from django.db import models


def new_plan_short_id():
    """Five characters, as the original's short IDs; uniqueness is checked by the caller."""
    return "".join(random.SystemRandom().choice(string.ascii_uppercase + string.digits) for _ in range(5))


class QCType(models.Model):
    qcName = models.CharField(max_length=512, unique=True)
    description = models.CharField(max_length=1024, blank=True, default="")
    minThreshold = models.PositiveIntegerField(default=0)
    maxThreshold = models.PositiveIntegerField(default=100)
    defaultThreshold = models.PositiveIntegerField(default=0)


class PlannedExperiment(models.Model):
    applicationGroup = models.ForeignKey(
        "rundb.ApplicationGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    sampleGrouping = models.ForeignKey(
        "rundb.SampleGroupType_CV", on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    projects = models.ManyToManyField("rundb.Project", blank=True, related_name="plans")
    sampleSets = models.ManyToManyField("rundb.SampleSet", blank=True, related_name="plans")
    qcValues = models.ManyToManyField(QCType, blank=True, through="PlannedExperimentQC", related_name="+")
    planDisplayedName = models.CharField(max_length=512, null=True, blank=True)
    autoAnalyze = models.BooleanField(default=True)
    templatingKitBarcode = models.CharField(max_length=128, null=True, blank=True)
    preAnalysis = models.BooleanField(default=True)
    platform = models.CharField(max_length=128, null=True, blank=True)
    categories = models.CharField(max_length=128, null=True, blank=True)
    planPGM = models.CharField(max_length=128, null=True, blank=True)
    libkit = models.CharField(max_length=128, null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    sequencekitname = models.CharField(max_length=128, null=True, blank=True)
    base_recalibration_mode = models.CharField(max_length=128, null=True, blank=True)
    storageHost = models.CharField(max_length=128, null=True, blank=True)
    expName = models.CharField(max_length=128, blank=True, default='')
    cycles = models.IntegerField(null=True, blank=True)
    isReverseRun = models.BooleanField(default=False)
    storage_options = models.CharField(max_length=128, blank=True, default='A')
    chipType = models.CharField(max_length=128, blank=True, default='')
    library = models.CharField(max_length=128, null=True, blank=True)
    planName = models.CharField(max_length=512, null=True, blank=True)
    seqKitBarcode = models.CharField(max_length=128, null=True, blank=True)
    barcodeId = models.CharField(max_length=128, null=True, blank=True)
    isPlanGroup = models.BooleanField(default=False)
    realign = models.BooleanField(default=False)
    bedfile = models.CharField(max_length=128, blank=True, default='')
    isReusable = models.BooleanField(default=False)
    isDuplicateReads = models.BooleanField(default=False)
    librarykitname = models.CharField(max_length=128, null=True, blank=True)
    sseBedFile = models.CharField(max_length=512, blank=True, default='')
    adapter = models.CharField(max_length=128, null=True, blank=True)
    earlyDatFileDeletion = models.BooleanField(default=False)
    parentPlan = models.CharField(max_length=128, blank=True, default='')
    origin = models.CharField(max_length=128, null=True, blank=True)
    forward3primeadapter = models.CharField(max_length=128, null=True, blank=True)
    samplePrepKitName = models.CharField(max_length=128, null=True, blank=True)
    metaData = models.JSONField(default=dict, blank=True)
    isFavorite = models.BooleanField(default=False)
    planStatus = models.CharField(max_length=128, blank=True, default='')
    templatingKitName = models.CharField(max_length=128, null=True, blank=True)
    runType = models.CharField(max_length=128, blank=True, default='GENS')
    username = models.CharField(max_length=128, null=True, blank=True)
    planShortID = models.CharField(max_length=5, null=True, blank=True, db_index=True)
    sampleDisplayedName = models.CharField(max_length=128, null=True, blank=True)
    controlSequencekitname = models.CharField(max_length=128, null=True, blank=True)
    tfKey = models.CharField(max_length=128, blank=True, default='')
    templatingSize = models.CharField(max_length=128, null=True, blank=True)
    childPlans = models.JSONField(default=list, blank=True)
    pairedEndLibraryAdapterName = models.CharField(max_length=128, null=True, blank=True)
    runMode = models.CharField(max_length=128, blank=True, default='')
    irworkflow = models.CharField(max_length=128, blank=True, default='')
    planExecuted = models.BooleanField(default=False)
    usePostBeadfind = models.BooleanField(default=True)
    libraryReadLength = models.IntegerField(default=0)
    runname = models.CharField(max_length=128, null=True, blank=True)
    chefInfo = models.JSONField(default=dict, blank=True)
    planGUID = models.CharField(max_length=512, null=True, blank=True, db_index=True)
    sampleTubeLabel = models.CharField(max_length=128, null=True, blank=True)
    samplePrepProtocol = models.CharField(max_length=128, null=True, blank=True)
    sample = models.CharField(max_length=128, null=True, blank=True)
    planExecutedDate = models.DateTimeField(null=True, blank=True)
    reverse_primer = models.CharField(max_length=128, null=True, blank=True)
    barcodedSamples = models.JSONField(default=dict, blank=True, null=True)
    regionfile = models.CharField(max_length=128, blank=True, default='')
    selectedPlugins = models.JSONField(default=dict, blank=True, null=True)
    isSystemDefault = models.BooleanField(default=False)
    autoName = models.CharField(max_length=128, null=True, blank=True)
    libraryKey = models.CharField(max_length=128, blank=True, default='')
    flows = models.IntegerField(default=0)
    date = models.DateTimeField(null=True, blank=True)
    isSystem = models.BooleanField(default=False)
    flowsInOrder = models.TextField(null=True, blank=True)
    chipBarcode = models.CharField(max_length=128, blank=True, default='')
    usePreBeadfind = models.BooleanField(default=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.planName or self.planDisplayedName or f"plan {self.pk}"


class PlannedExperimentQC(models.Model):
    plannedExperiment = models.ForeignKey(PlannedExperiment, on_delete=models.CASCADE)
    qcType = models.ForeignKey(QCType, on_delete=models.CASCADE)
    threshold = models.PositiveIntegerField(default=0)


class PlanningSession(models.Model):
    """A prepared plan handed to the planning page (``prepopulatedplanningsession``): any JSON
    object, kept until ``expires``. Stored in the database rather than the cache so every web
    process sees it and a cache flush or restart does not lose it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"planning session {self.pk}"

