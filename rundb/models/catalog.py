"""The reference catalog: chips, kits, barcodes, keys, adapters, flow orders, run types, references."""
from django.db import models
from django.utils import timezone


class Chip(models.Model):
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=128, blank=True, default="")
    instrumentType = models.CharField(max_length=64, blank=True, default="")
    slots = models.IntegerField(default=1)
    isActive = models.BooleanField(default=True)
    earlyDatFileDeletion = models.CharField(max_length=1, blank=True, default="")

    def __str__(self):
        return self.name


class dnaBarcode(models.Model):
    """One barcode of a barcode kit; the kit is identified by `name`."""

    name = models.CharField(max_length=128)
    id_str = models.CharField(max_length=128)
    type = models.CharField(max_length=64, blank=True, default="")
    sequence = models.CharField(max_length=128)
    length = models.IntegerField(default=0, blank=True)
    floworder = models.CharField(max_length=128, blank=True, default="")
    index = models.IntegerField()
    annotation = models.CharField(max_length=512, blank=True, default="")
    adapter = models.CharField(max_length=128, blank=True, default="")
    score_mode = models.IntegerField(default=0, blank=True)
    score_cutoff = models.FloatField(default=0)
    active = models.BooleanField(default=True)
    system = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "id_str"], name="dnabarcode_kit_id_str")]
        indexes = [models.Index(fields=["name", "index"])]

    def __str__(self):
        return f"{self.name}:{self.id_str}"


class FlowOrder(models.Model):
    name = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=128, blank=True, default="")
    flowOrder = models.CharField(max_length=1200)
    isActive = models.BooleanField(default=True)
    isSystem = models.BooleanField(default=False)
    isDefault = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class ThreePrimeAdapter(models.Model):
    direction = models.CharField(max_length=20, default="Forward")
    name = models.CharField(max_length=256, unique=True)
    sequence = models.CharField(max_length=512)
    description = models.CharField(max_length=1024, blank=True, default="")
    uid = models.CharField(max_length=32, unique=True)
    runMode = models.CharField(max_length=64, blank=True, default="single")
    chemistryType = models.CharField(max_length=64, blank=True, default="")
    isActive = models.BooleanField(default=True)
    isDefault = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class LibraryKey(models.Model):
    direction = models.CharField(max_length=20, default="Forward")
    name = models.CharField(max_length=256, unique=True)
    sequence = models.CharField(max_length=64)
    description = models.CharField(max_length=1024, blank=True, default="")
    runMode = models.CharField(max_length=64, blank=True, default="single")
    isDefault = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class KitInfo(models.Model):
    kitType = models.CharField(max_length=64)
    name = models.CharField(max_length=512, unique=True)
    description = models.CharField(max_length=3024, blank=True, default="")
    flowCount = models.PositiveIntegerField(default=0)
    nucleotideType = models.CharField(max_length=64, blank=True, default="")
    instrumentType = models.CharField(max_length=64, blank=True, default="")
    samplePrep_instrumentType = models.CharField(max_length=64, blank=True, default="")
    runMode = models.CharField(max_length=64, blank=True, default="")
    isActive = models.BooleanField(default=True)
    templatingSize = models.CharField(max_length=64, null=True, blank=True)
    applicationType = models.CharField(max_length=64, null=True, blank=True)
    uid = models.CharField(max_length=10, unique=True)
    chipTypes = models.CharField(max_length=127, blank=True, default="")
    libraryReadLength = models.PositiveIntegerField(default=0)
    categories = models.CharField(max_length=256, null=True, blank=True)
    defaultFlowOrder = models.ForeignKey(FlowOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    defaultThreePrimeAdapter = models.ForeignKey(
        ThreePrimeAdapter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Ion Chef kits whose cartridges serve several runs (getchefcartridgeusage, rundb/chef.py):
    # how many runs a cartridge serves, after how many days from its first run the Chef warns,
    # and after how many it refuses.
    defaultCartridgeUsageCount = models.PositiveIntegerField(null=True, blank=True)
    cartridgeExpirationDayLimit = models.PositiveIntegerField(null=True, blank=True)
    cartridgeBetweenUsageAbsoluteMaxDayLimit = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return self.name


class KitPart(models.Model):
    kit = models.ForeignKey(KitInfo, on_delete=models.CASCADE, related_name="parts")
    barcode = models.CharField(max_length=64, unique=True)


class ApplicationGroup(models.Model):
    name = models.CharField(max_length=127)
    description = models.CharField(max_length=1024, null=True, blank=True)
    isActive = models.BooleanField(default=True)
    uid = models.CharField(max_length=32, unique=True)

    def __str__(self):
        return self.name


class RunType(models.Model):
    runType = models.CharField(max_length=512, unique=True)
    barcode = models.CharField(max_length=512, blank=True, default="")
    description = models.TextField(blank=True, default="")
    meta = models.JSONField(default=dict, blank=True, null=True)
    nucleotideType = models.CharField(max_length=64, blank=True, default="dna")
    isActive = models.BooleanField(default=True)
    alternate_name = models.CharField(max_length=512, null=True, blank=True)
    applicationGroups = models.ManyToManyField(ApplicationGroup, blank=True, related_name="applications")

    def __str__(self):
        return self.runType


class ReferenceGenome(models.Model):
    name = models.CharField(max_length=512)
    short_name = models.CharField(max_length=512, db_index=True)
    enabled = models.BooleanField(default=True)
    reference_path = models.CharField(max_length=1024, blank=True, default="")
    date = models.DateTimeField(default=timezone.now)
    version = models.CharField(max_length=100, blank=True, default="")
    species = models.CharField(max_length=512, blank=True, default="")
    source = models.CharField(max_length=512, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    status = models.CharField(max_length=512, blank=True, default="")
    index_version = models.CharField(max_length=512, blank=True, default="")
    verbose_error = models.CharField(max_length=3000, blank=True, default="")
    identity_hash = models.CharField(max_length=40, null=True, blank=True, default=None)
    celery_task_id = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name


class Template(models.Model):
    """A test-fragment (TF) template: name, key and sequence."""

    name = models.CharField(max_length=64)
    sequence = models.TextField(blank=True, default="")
    key = models.CharField(max_length=64)
    comments = models.TextField(blank=True, default="")
    isofficial = models.BooleanField(default=True)

    def __str__(self):
        return self.name
