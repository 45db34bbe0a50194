"""Job states: the one vocabulary, and the one mapping from a job runner's states to it.

A job is seen at three levels:

* the runner (``sge.backends``: Grid Engine through DRMAA and qstat, or the local backend)
  reports a ``RunnerState``: queued, held, running, done, failed, unknown;
* the job rows (``rundb.models.jobs``) and the API hold a ``JobState``: Queued, Started,
  Completed, Error, Cancelled, Timed Out. The job service writes only these, through
  ``job_state_for`` below;
* the API also accepts the older Torrent Suite job states a plugin or client may send
  (Pending, Declined, Unknown, Resource, Archived: ``JOB_STATES``), and a plugin run
  (PluginResult) shows the state of its newest job (``plugin_state_from_jobs``).

Plain Python with no Django import, so the backends can use it too.
"""


class RunnerState:
    """What a job backend reports about one job."""

    QUEUED = "queued"
    HELD = "held"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"  # neither the scheduler nor the exit-code file knows the job

    ALL = (QUEUED, HELD, RUNNING, DONE, FAILED, UNKNOWN)
    LIVE = (QUEUED, HELD, RUNNING)
    TERMINAL = (DONE, FAILED)


class JobState:
    """The state of a job row, as stored and as the API shows it."""

    QUEUED = "Queued"
    STARTED = "Started"
    COMPLETED = "Completed"
    ERROR = "Error"
    CANCELLED = "Cancelled"
    TIMED_OUT = "Timed Out"

    FINAL = (COMPLETED, ERROR, CANCELLED, TIMED_OUT)
    ACTIVE = (QUEUED, STARTED)
    # Rank for forward-only transitions: a state may only be replaced by one of higher rank.
    RANK = {QUEUED: 0, STARTED: 1, COMPLETED: 2, ERROR: 2, CANCELLED: 2, TIMED_OUT: 2}

    # Older states the API accepts from plugins and clients; the job service never writes them.
    PENDING = "Pending"
    DECLINED = "Declined"
    UNKNOWN = "Unknown"  # also: a plugin run without jobs, or one adopted from a folder
    RESOURCE = "Resource"
    ARCHIVED = "Archived"


# The states the API accepts and how it reads them (a key authenticates while its job is active;
# a final state is never left).
ACTIVE_JOB_STATES = frozenset(JobState.ACTIVE + (JobState.PENDING,))
FINAL_JOB_STATES = frozenset(JobState.FINAL + (JobState.DECLINED, JobState.UNKNOWN, JobState.RESOURCE,
                                               JobState.ARCHIVED))
JOB_STATES = ACTIVE_JOB_STATES | FINAL_JOB_STATES


# A plugin run whose launch was refused by its plugin's validation; it has no jobs.
FAILED_VALIDATION = "Failed Validation"


def job_state_for(runner_state, *, cancelled=False, failed=JobState.ERROR):
    """The JobState a row records when its runner reports *runner_state*.

    queued/held: Queued; running: Started; done: Completed; failed: Cancelled when the job was
    cancelled, else *failed* (a job kind may read its exit code as Cancelled or Timed Out);
    unknown: the job is lost, Cancelled when it was cancelled, else Error. The job service
    applies "unknown" only from the job's own records and after a grace period."""
    if runner_state in (RunnerState.QUEUED, RunnerState.HELD):
        return JobState.QUEUED
    if runner_state == RunnerState.RUNNING:
        return JobState.STARTED
    if runner_state == RunnerState.DONE:
        return JobState.COMPLETED
    if runner_state == RunnerState.FAILED:
        return JobState.CANCELLED if cancelled else failed
    if runner_state == RunnerState.UNKNOWN:
        return JobState.CANCELLED if cancelled else JobState.ERROR
    raise ValueError(f"not a runner state: {runner_state!r}")


def plugin_state_from_jobs(validation_errors, jobs):
    """State of a plugin run from its jobs [(pk, state, starttime), ...]: Failed Validation when
    validation failed, else the newest job not yet started, else the latest-started job, else
    Unknown (plugin.services.launch.pluginresult_state applies the same rule to model rows)."""
    if isinstance(validation_errors, dict) and validation_errors.get("validation_errors"):
        return FAILED_VALIDATION
    if not jobs:
        return JobState.UNKNOWN
    unstarted = [j for j in jobs if j[2] is None]
    if unstarted:
        return max(unstarted, key=lambda j: j[0])[1]
    return max(jobs, key=lambda j: (j[2], j[0]))[1]
