"""Analysis reports (Results)."""
from django.db import models
from django.utils import timezone


class Results(models.Model):
    experiment = models.ForeignKey(
        "rundb.Experiment", on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    eas = models.ForeignKey(
        "rundb.ExperimentAnalysisSettings", on_delete=models.SET_NULL, null=True, blank=True, related_name="results"
    )
    reportstorage = models.ForeignKey("rundb.ReportStorage", on_delete=models.PROTECT, related_name="results")
    projects = models.ManyToManyField("rundb.Project", blank=True, related_name="results")
    reference = models.CharField(max_length=128, null=True, blank=True)
    processedflows = models.IntegerField(default=0)
    reportStatus = models.CharField(max_length=128, null=True, blank=True, default='Nothing')
    analysisVersion = models.CharField(max_length=128, blank=True, default='')
    runid = models.CharField(max_length=128, blank=True, default='')
    metaData = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True, default='')
    timeStamp = models.DateTimeField(default=timezone.now, db_index=True)
    resultsName = models.CharField(max_length=512, blank=True, default='')
    status = models.CharField(max_length=64, blank=True, default='')
    processedCycles = models.IntegerField(default=0)
    representative = models.BooleanField(default=False)
    diskusage = models.IntegerField(null=True, blank=True)
    resultsType = models.CharField(max_length=128, blank=True, default='')
    parentIDs = models.CharField(max_length=128, blank=True, default='')
    timeToComplete = models.CharField(max_length=128, blank=True, default='')
    reportLink = models.CharField(max_length=512, blank=True, default='')
    framesProcessed = models.IntegerField(default=0)
    autoExempt = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "results"

    def __str__(self):
        return self.resultsName

    @property
    def report_dir(self):
        """Absolute report folder on disk; rundb.paths.UnsafePath if the name would leave the root."""
        from rundb.paths import check_name, safe_join

        return safe_join(self.reportstorage.dirPath, check_name(f"{self.resultsName}_{self.pk:03d}", "resultsName"))
