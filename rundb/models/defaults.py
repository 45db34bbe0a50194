"""Planning defaults: analysis argument sets, application products, controlled vocabularies."""
from django.conf import settings
from django.db import models
from django.utils import timezone

ARG_NAMES = (
    "beadfindargs", "analysisargs", "prebasecallerargs", "calibrateargs", "basecallerargs", "alignmentargs",
    "ionstatsargs", "thumbnailbeadfindargs", "thumbnailanalysisargs", "prethumbnailbasecallerargs",
    "thumbnailcalibrateargs", "thumbnailbasecallerargs", "thumbnailalignmentargs", "thumbnailionstatsargs",
)


class AnalysisArgs(models.Model):
    """One set of pipeline command lines, chosen by chip and (optionally) kits and application."""

    name = models.CharField(max_length=256, unique=True)
    description = models.CharField(max_length=256, null=True, blank=True, unique=True)
    chipType = models.CharField(max_length=128, blank=True, default="")
    chip_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    isSystem = models.BooleanField(default=False)
    sequenceKitName = models.CharField(max_length=512, blank=True, default="")
    templateKitName = models.CharField(max_length=512, blank=True, default="")
    libraryKitName = models.CharField(max_length=512, blank=True, default="")
    samplePrepKitName = models.CharField(max_length=512, blank=True, default="")
    applType = models.ForeignKey("rundb.RunType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    applGroup = models.ForeignKey("rundb.ApplicationGroup", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    lastModifiedUser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    creationDate = models.DateTimeField(auto_now_add=True, null=True)
    lastModifiedDate = models.DateTimeField(auto_now=True, null=True)
    beadfindargs = models.CharField(max_length=5000, blank=True, default="")
    analysisargs = models.CharField(max_length=5000, blank=True, default="")
    prebasecallerargs = models.CharField(max_length=5000, blank=True, default="")
    calibrateargs = models.CharField(max_length=5000, blank=True, default="")
    basecallerargs = models.CharField(max_length=5000, blank=True, default="")
    alignmentargs = models.CharField(max_length=5000, blank=True, default="")
    ionstatsargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailbeadfindargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailanalysisargs = models.CharField(max_length=5000, blank=True, default="")
    prethumbnailbasecallerargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailcalibrateargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailbasecallerargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailalignmentargs = models.CharField(max_length=5000, blank=True, default="")
    thumbnailionstatsargs = models.CharField(max_length=5000, blank=True, default="")

    def as_args(self):
        return {name: getattr(self, name) for name in ARG_NAMES}

    def __str__(self):
        return self.name


def _kit(name):
    return models.ForeignKey("rundb.KitInfo", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")


class ApplProduct(models.Model):
    """Per application (run type) and product: the defaults and UI switches of the planning wizard.
    Column names follow the original's fixtures (the API renames three: appl, defaultSeqKit,
    defaultLibKit)."""

    productCode = models.CharField(max_length=64, unique=True, default="any")
    productName = models.CharField(max_length=128)
    description = models.CharField(max_length=1024, blank=True, default="")
    applType = models.ForeignKey("rundb.RunType", on_delete=models.CASCADE, related_name="+")
    applicationGroup = models.ForeignKey("rundb.ApplicationGroup", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    instrumentType = models.CharField(max_length=64, blank=True, default="")
    barcodeKitSelectableType = models.CharField(max_length=64, blank=True, default="")
    categories = models.CharField(max_length=1024, null=True, blank=True, default="")
    isActive = models.BooleanField(default=True)
    isVisible = models.BooleanField(default=False)
    isDefault = models.BooleanField(default=False)
    isDefaultForInstrumentType = models.BooleanField(default=False)
    isDefaultBarcoded = models.BooleanField(default=False)
    defaultChipType = models.CharField(max_length=128, null=True, blank=True)
    defaultFlowCount = models.PositiveIntegerField(default=0)
    defaultBarcodeKitName = models.CharField(max_length=128, null=True, blank=True)
    defaultGenomeRefName = models.CharField(max_length=1024, null=True, blank=True)
    defaultTargetRegionBedFileName = models.CharField(max_length=1024, null=True, blank=True)
    defaultHotSpotRegionBedFileName = models.CharField(max_length=1024, null=True, blank=True)
    defaultSequencingKit = _kit("seq")
    defaultLibraryKit = _kit("lib")
    defaultSamplePrepKit = _kit("prep")
    defaultControlSeqKit = _kit("control")
    defaultTemplateKit = _kit("template")
    defaultIonChefPrepKit = _kit("chefprep")
    defaultIonChefSequencingKit = _kit("chefseq")
    isBarcodeKitSelectionRequired = models.BooleanField(default=False)
    isControlSeqTypeBySampleSupported = models.BooleanField(default=False)
    isDualNucleotideTypeBySampleSupported = models.BooleanField(default=False)
    isHotSpotBEDFileBySampleSupported = models.BooleanField(default=False)
    isHotspotRegionBEDFileSuppported = models.BooleanField(default=True)
    isReferenceBySampleSupported = models.BooleanField(default=False)
    isReferenceSelectionSupported = models.BooleanField(default=True)
    isSamplePrepKitSupported = models.BooleanField(default=True)
    isTargetRegionBEDFileBySampleSupported = models.BooleanField(default=False)
    isTargetRegionBEDFileSelectionRequiredForRefSelection = models.BooleanField(default=False)
    isTargetRegionBEDFileSupported = models.BooleanField(default=True)
    isTargetTechniqueSelectionSupported = models.BooleanField(default=True)

    def __str__(self):
        return self.productCode


class Common_CV(models.Model):
    """Controlled vocabulary entries (sample-prep protocols, templating sizes, ...) keyed by ``cv_type``."""

    cv_type = models.CharField(max_length=127)
    value = models.CharField(max_length=127)
    displayedValue = models.CharField(max_length=127, unique=True)
    description = models.CharField(max_length=1024, null=True, blank=True)
    isDefault = models.BooleanField(default=True)
    isActive = models.BooleanField(default=True)
    isVisible = models.BooleanField(default=True)
    categories = models.CharField(max_length=1024, null=True, blank=True, default="")
    samplePrep_instrumentType = models.CharField(max_length=64, blank=True, default="")
    sequencing_instrumentType = models.CharField(max_length=64, blank=True, default="")
    uid = models.CharField(max_length=32, unique=True)

    def __str__(self):
        return self.displayedValue


class SampleAnnotation_CV(models.Model):
    """Allowed values of per-sample annotations (relationship roles, genders, ...)."""

    value = models.CharField(max_length=127)
    annotationType = models.CharField(max_length=127)
    sampleGroupType_CV = models.ForeignKey("rundb.SampleGroupType_CV", on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="sampleAnnotation_set")
    isIRCompatible = models.BooleanField(default=False)
    iRValue = models.CharField(max_length=127, null=True, blank=True)
    iRAnnotationType = models.CharField(max_length=127, null=True, blank=True)
    isActive = models.BooleanField(default=True)
    uid = models.CharField(max_length=32, unique=True)


class SampleAttributeDataType(models.Model):
    dataType = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=1024, null=True, blank=True)
    isActive = models.BooleanField(default=True)


class SampleAttribute(models.Model):
    """A user-defined sample column (its values live with the samples)."""

    displayedName = models.CharField(max_length=127, unique=True)
    dataType = models.ForeignKey(SampleAttributeDataType, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="attributes")
    description = models.CharField(max_length=1024, null=True, blank=True)
    isMandatory = models.BooleanField(default=False)
    isActive = models.BooleanField(default=True)
    creationDate = models.DateTimeField(default=timezone.now)
    lastModifiedDate = models.DateTimeField(default=timezone.now)


class SamplePrepData(models.Model):
    """Library or templating preparation reported by an instrument (Ion Chef)."""

    sampleSet = models.ForeignKey("rundb.SampleSet", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="prepData")
    samplePrepDataType = models.CharField(max_length=64, blank=True, default="")
    instrumentName = models.CharField(max_length=200, blank=True, default="")
    instrumentStatus = models.CharField(max_length=256, blank=True, default="")
    lastUpdate = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    progress = models.FloatField(default=0)
    logPath = models.CharField(max_length=512, null=True, blank=True)
    kitType = models.CharField(max_length=64, blank=True, default="")
    packageVer = models.CharField(max_length=64, blank=True, default="")
    scriptVersion = models.CharField(max_length=256, blank=True, default="")
    tipRackBarcode = models.CharField(max_length=64, blank=True, default="")
    reagentsPart = models.CharField(max_length=64, blank=True, default="")
    reagentsLot = models.CharField(max_length=64, blank=True, default="")
    reagentsExpiration = models.CharField(max_length=64, blank=True, default="")
    solutionsPart = models.CharField(max_length=64, blank=True, default="")
    solutionsLot = models.CharField(max_length=64, blank=True, default="")
    solutionsExpiration = models.CharField(max_length=64, blank=True, default="")
