"""Small pure functions behind computed API fields (shared with other code that needs them)."""

TRUE_WORDS = {"", "true", "t", "yes", "y", "1", "on"}
FINAL_JOB_STATES = {"Completed", "Error", "Declined", "Unknown", "Resource", "Timed Out", "Cancelled", "Archived"}
ACTIVE_JOB_STATES = {"Pending", "Queued", "Started"}
JOB_STATES = FINAL_JOB_STATES | ACTIVE_JOB_STATES


def to_boolean(value):
    """The original's query-string truth: "", true, t, yes, y, 1, on (any case) are true."""
    if value is None:
        return False
    return str(value).strip().lower() in TRUE_WORDS


def plugin_state_from_jobs(validation_errors, jobs):
    """State of a plugin run from its jobs [(pk, state, starttime), ...]: "Failed Validation"
    when validation failed, else the newest job not yet started, else the latest-started job,
    else "Unknown" (the same rule as plugin.services.launch.pluginresult_state)."""
    if isinstance(validation_errors, dict) and validation_errors.get("validation_errors"):
        return "Failed Validation"
    if not jobs:
        return "Unknown"
    unstarted = [j for j in jobs if j[2] is None]
    if unstarted:
        return max(unstarted, key=lambda j: j[0])[1]
    return max(jobs, key=lambda j: (j[2], j[0]))[1]
