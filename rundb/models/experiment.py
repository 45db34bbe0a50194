"""Sequencing runs (Experiment) and their analysis settings (EAS)."""
import datetime as dt

from django.db import models
from django.utils import timezone


# GS1 serial numbers (the Ion Chef's cartridge labels) are at most 20 characters.
CHEF_SERIAL_MAX = 20
CHEF_SERIALS = ("chefReagentsSerialNum", "chefSolutionsSerialNum")


class Experiment(models.Model):
    """One sequencing run. `unique` is the run folder path: the crawler's idempotency key."""

    plan = models.OneToOneField(
        "rundb.PlannedExperiment", on_delete=models.SET_NULL, null=True, blank=True, related_name="experiment"
    )
    repResult = models.OneToOneField(
        "rundb.Results", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    isReverseRun = models.BooleanField(default=False)
    chefLotNumber = models.CharField(max_length=128, blank=True, default='')
    chipType = models.CharField(max_length=128, blank=True, default='')
    user_ack = models.CharField(max_length=128, blank=True, default='U')
    chefLogPath = models.CharField(max_length=512, null=True, blank=True)
    chefSolutionsPart = models.CharField(max_length=128, blank=True, default='')
    chefLastUpdate = models.DateTimeField(null=True, blank=True)
    storage_options = models.CharField(max_length=128, blank=True, default='A')
    chefChipExpiration1 = models.CharField(max_length=128, blank=True, default='')
    chefChipExpiration2 = models.CharField(max_length=128, blank=True, default='')
    diskusage = models.IntegerField(null=True, blank=True)
    chefStatus = models.CharField(max_length=128, blank=True, default='')
    reverse_primer = models.CharField(max_length=128, null=True, blank=True)
    seqKitBarcode = models.CharField(max_length=128, blank=True, default='')
    chefReagentsPart = models.CharField(max_length=128, blank=True, default='')
    metaData = models.JSONField(default=dict, blank=True)
    chefInstrumentName = models.CharField(max_length=128, blank=True, default='')
    log = models.JSONField(default=dict, blank=True)
    sequencekitbarcode = models.CharField(max_length=128, null=True, blank=True)
    chefReagentID = models.CharField(max_length=128, blank=True, default='')
    platform = models.CharField(max_length=128, blank=True, default='')
    chefScriptVersion = models.CharField(max_length=128, blank=True, default='')
    chefManufactureDate = models.CharField(max_length=128, blank=True, default='')
    chefSamplePos = models.CharField(max_length=128, blank=True, default='')
    pinnedRepResult = models.BooleanField(default=False)
    chefReagentsExpiration = models.CharField(max_length=128, blank=True, default='')
    chefSolutionsLot = models.CharField(max_length=128, blank=True, default='')
    reagentBarcode = models.CharField(max_length=128, blank=True, default='')
    chefProgress = models.FloatField(default=0)
    chefKitType = models.CharField(max_length=128, blank=True, default='')
    star = models.BooleanField(default=False)
    chefPackageVer = models.CharField(max_length=128, blank=True, default='')
    expCompInfo = models.TextField(blank=True, default='')
    flowsInOrder = models.TextField(blank=True, default='')
    flows = models.IntegerField(default=0)
    resultDate = models.DateTimeField(null=True, blank=True, default=timezone.now)
    chefTipRackBarcode = models.CharField(max_length=128, blank=True, default='')
    date = models.DateTimeField(default=timezone.now, db_index=True)
    chefExtraInfo_1 = models.TextField(blank=True, default='')
    chefExtraInfo_2 = models.TextField(blank=True, default='')
    unique = models.CharField(max_length=512, unique=True)
    expDir = models.CharField(max_length=512, blank=True, default='', db_index=True)
    autoAnalyze = models.BooleanField(default=True)
    ftpStatus = models.CharField(max_length=128, blank=True, default='')
    chefMessage = models.CharField(max_length=128, blank=True, default='')
    cycles = models.IntegerField(default=0)
    displayName = models.CharField(max_length=128, blank=True, default='')
    runMode = models.CharField(max_length=128, blank=True, default='')
    notes = models.TextField(null=True, blank=True)
    sequencekitname = models.CharField(max_length=128, null=True, blank=True)
    chipBarcode = models.CharField(max_length=128, blank=True, default='')
    pgmName = models.CharField(max_length=128, blank=True, default='')
    chefSolutionsExpiration = models.CharField(max_length=128, blank=True, default='')
    chefReagentsLot = models.CharField(max_length=128, blank=True, default='')
    storageHost = models.CharField(max_length=128, null=True, blank=True)
    expName = models.CharField(max_length=128, blank=True, default='', db_index=True)
    status = models.CharField(max_length=128, blank=True, default='')
    usePreBeadfind = models.BooleanField(default=True)
    chefChipType2 = models.CharField(max_length=128, blank=True, default='')
    chefChipType1 = models.CharField(max_length=128, blank=True, default='')
    baselineRun = models.BooleanField(default=False)
    rawdatastyle = models.CharField(max_length=128, null=True, blank=True, default='single')
    # Ion Chef run facts the instrument PATCHes (rundb/api/resources/experiment.py checks them).
    # The cartridge serials identify the reagent / solution cartridges: getchefcartridgeusage and
    # compositeexperiment count the runs that used one (hence the indexes).
    chefReagentsSerialNum = models.CharField(max_length=64, blank=True, default='', db_index=True)
    chefSolutionsSerialNum = models.CharField(max_length=64, blank=True, default='', db_index=True)
    chefStartTime = models.DateTimeField(null=True, blank=True)
    chefEndTime = models.DateTimeField(null=True, blank=True)
    chefRemainingSeconds = models.IntegerField(null=True, blank=True)
    chefFlexibleWorkflow = models.CharField(max_length=128, blank=True, default='')
    chefOperationMode = models.CharField(max_length=128, blank=True, default='')
    chefProtocolDeviationName = models.CharField(max_length=128, blank=True, default='')

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.expName

    def chef_errors(self):
        """{field: [message]} for Ion Chef values that cannot be right: a cartridge serial longer
        than a GS1 serial (20 characters), remaining seconds outside the column, an end before
        the start."""
        errors = {}
        for name in CHEF_SERIALS:
            value = getattr(self, name) or ""
            if len(value) > CHEF_SERIAL_MAX:
                errors[name] = [f"{name} exceeds the GS1 standard: at most {CHEF_SERIAL_MAX} characters, "
                                f"got {len(value)}."]
        seconds = self.chefRemainingSeconds
        if seconds is not None and not (isinstance(seconds, int) and -2 ** 31 < seconds < 2 ** 31):
            errors["chefRemainingSeconds"] = ["Attribute chefRemainingSeconds requires a whole number of seconds "
                                              "within range."]
        start, end = self.chefStartTime, self.chefEndTime
        if isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and end < start:
            errors["chefEndTime"] = [f"Attribute chefEndTime cannot be earlier than the start time "
                                     f"({start.isoformat()})."]
        return errors


class ExperimentAnalysisSettings(models.Model):
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, null=True, blank=True, related_name="eas_set"
    )
    ionstatsargs = models.CharField(max_length=512, blank=True, default='')
    isEditable = models.BooleanField(default=False)
    hotSpotRegionBedFile = models.CharField(max_length=512, null=True, blank=True)
    mixedTypeRNA_reference = models.CharField(max_length=128, null=True, blank=True)
    mixedTypeRNA_targetRegionBedFile = models.CharField(max_length=512, null=True, blank=True)
    targetRegionBedFile = models.CharField(max_length=512, null=True, blank=True)
    thumbnailalignmentargs = models.CharField(max_length=512, blank=True, default='')
    thumbnailanalysisargs = models.CharField(max_length=512, blank=True, default='')
    barcodedSamples = models.JSONField(default=dict, blank=True, null=True)
    base_recalibration_mode = models.CharField(max_length=128, blank=True, default='standard_recal')
    reference = models.CharField(max_length=128, null=True, blank=True)
    isOneTimeOverride = models.BooleanField(default=False)
    mixedTypeRNA_hotSpotRegionBedFile = models.CharField(max_length=512, null=True, blank=True)
    analysisargs = models.CharField(max_length=512, blank=True, default='')
    thumbnailcalibrateargs = models.CharField(max_length=512, blank=True, default='')
    realign = models.BooleanField(default=False)
    selectedPlugins = models.JSONField(default=dict, blank=True, null=True)
    barcodeKitName = models.CharField(max_length=128, null=True, blank=True)
    beadfindargs = models.CharField(max_length=512, blank=True, default='')
    threePrimeAdapter = models.CharField(max_length=128, null=True, blank=True)
    thumbnailbasecallerargs = models.CharField(max_length=512, blank=True, default='')
    status = models.CharField(max_length=128, blank=True, default='')
    prebasecallerargs = models.CharField(max_length=512, blank=True, default='')
    thumbnailionstatsargs = models.CharField(max_length=512, blank=True, default='')
    prethumbnailbasecallerargs = models.CharField(max_length=512, blank=True, default='')
    alignmentargs = models.CharField(max_length=512, blank=True, default='')
    isDuplicateReads = models.BooleanField(default=False)
    libraryKey = models.CharField(max_length=128, blank=True, default='')
    date = models.DateTimeField(null=True, blank=True)
    libraryKitName = models.CharField(max_length=128, null=True, blank=True)
    thumbnailbeadfindargs = models.CharField(max_length=512, blank=True, default='')
    calibrateargs = models.CharField(max_length=512, blank=True, default='')
    tfKey = models.CharField(max_length=128, blank=True, default='')
    libraryKitBarcode = models.CharField(max_length=128, null=True, blank=True)
    sseBedFile = models.CharField(max_length=512, null=True, blank=True)
    basecallerargs = models.CharField(max_length=512, blank=True, default='')
    custom_args = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]
