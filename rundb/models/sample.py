"""Samples, sample sets and projects."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class Project(models.Model):
    name = models.CharField(max_length=64, unique=True)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects")
    public = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class Sample(models.Model):
    name = models.CharField(max_length=127, null=True, blank=True, db_index=True)
    displayedName = models.CharField(max_length=127, null=True, blank=True)
    externalId = models.CharField(max_length=127, null=True, blank=True, default="")
    description = models.CharField(max_length=1024, null=True, blank=True)
    status = models.CharField(max_length=512, blank=True, default="")
    date = models.DateTimeField(null=True, blank=True, default=timezone.now)
    experiments = models.ManyToManyField("rundb.Experiment", blank=True, related_name="samples")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "externalId"], name="sample_name_external")]

    def __str__(self):
        return self.name or ""


class SampleGroupType_CV(models.Model):
    displayedName = models.CharField(max_length=127, unique=True)
    description = models.CharField(max_length=1024, blank=True, default="")
    isIRCompatible = models.BooleanField(default=False)
    iRValue = models.CharField(max_length=127, null=True, blank=True)
    iRAnnotationType = models.CharField(max_length=127, null=True, blank=True)
    isActive = models.BooleanField(default=True)
    uid = models.CharField(max_length=32, unique=True)

    def __str__(self):
        return self.displayedName


class SampleSet(models.Model):
    displayedName = models.CharField(max_length=127, unique=True)
    description = models.CharField(max_length=1024, null=True, blank=True)
    status = models.CharField(max_length=512, blank=True, default="")
    creationDate = models.DateTimeField(auto_now_add=True)
    lastModifiedDate = models.DateTimeField(auto_now=True)
    SampleGroupType_CV = models.ForeignKey(
        SampleGroupType_CV, on_delete=models.SET_NULL, null=True, blank=True, related_name="sampleSets"
    )
    libraryPrepType = models.CharField(max_length=64, blank=True, default="")
    libraryPrepKitName = models.CharField(max_length=512, null=True, blank=True)
    pcrPlateSerialNum = models.CharField(max_length=64, null=True, blank=True)
    combinedLibraryTubeLabel = models.CharField(max_length=64, blank=True, default="")
    libraryPrepInstrument = models.CharField(max_length=64, blank=True, default="")
    libraryPrepPlateType = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return self.displayedName


class SampleSetItem(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, null=True, blank=True, related_name="sampleSets")
    sampleSet = models.ForeignKey(SampleSet, on_delete=models.CASCADE, null=True, blank=True, related_name="samples")
    dnabarcode = models.ForeignKey(
        "rundb.dnaBarcode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=1024, null=True, blank=True)
    nucleotideType = models.CharField(max_length=64, blank=True, default="")
    gender = models.CharField(max_length=127, null=True, blank=True)
    relationshipRole = models.CharField(max_length=127, null=True, blank=True)
    relationshipGroup = models.IntegerField(default=0)
    cancerType = models.CharField(max_length=127, null=True, blank=True)
    cellularityPct = models.IntegerField(null=True, blank=True)
    pcrPlateColumn = models.CharField(max_length=20, null=True, blank=True)
    pcrPlateRow = models.CharField(max_length=20, null=True, blank=True)
    biopsyDays = models.IntegerField(null=True, blank=True, default=0)
    coupleId = models.CharField(max_length=127, null=True, blank=True)
    embryoId = models.CharField(max_length=127, null=True, blank=True)
    controlType = models.CharField(max_length=127, null=True, blank=True)
    creationDate = models.DateTimeField(auto_now_add=True)
    lastModifiedDate = models.DateTimeField(auto_now=True)
