"""Grid jobs. The database row is the source of truth; the job service submits, polls and
reconciles it against the Grid Engine (or the local backend). States only move forward."""
from django.db import models
from django.utils import timezone

from ..jobstates import JobState


class GridJob(models.Model):
    state = models.CharField(max_length=32, default=JobState.QUEUED)
    grid_engine_jobid = models.IntegerField(null=True, blank=True)
    starttime = models.DateTimeField(null=True, blank=True)
    endtime = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    script_path = models.CharField(max_length=1024, blank=True, default="")
    work_dir = models.CharField(max_length=1024, blank=True, default="")
    stdout_path = models.CharField(max_length=1024, blank=True, default="")
    native_spec = models.CharField(max_length=1024, blank=True, default="")
    exit_code = models.IntegerField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    message = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    @property
    def is_final(self):
        return self.state in JobState.FINAL


class AnalysisJob(GridJob):
    """The pipeline job of one report."""

    result = models.ForeignKey("rundb.Results", on_delete=models.CASCADE, related_name="analysis_jobs")
    kind = models.CharField(max_length=32, default="analysis")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state"])]


def advance_job_state(job_model, pk, new_state, **fields):
    """Move a job row forward to `new_state` with one conditional UPDATE.

    Returns True when the row changed. A state never moves backwards or sideways between final
    states, so a late "Started" callback cannot undo "Completed", and two writers racing to a final
    state leave exactly one winner."""
    rank = JobState.RANK[new_state]
    allowed_from = [s for s, r in JobState.RANK.items() if r < rank]
    now = timezone.now()
    if new_state == JobState.STARTED:
        fields.setdefault("starttime", now)
    elif new_state in JobState.FINAL:
        fields.setdefault("endtime", now)
    updated = job_model.objects.filter(pk=pk, state__in=allowed_from).update(state=new_state, **fields)
    return updated == 1
