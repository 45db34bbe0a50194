"""Job service and queue health for Home and Configure > Services."""
import fcntl
import os

from django.db.models import Count

from rundb.models import AnalysisJob, JobState, PluginResultJob


def job_service_running():
    """True when a job service holds its lock for this database (sge/service.py)."""
    from sge.backends.base import default_state_dir
    from sge.jobkinds import job_name_prefix

    path = os.path.join(default_state_dir(), "service", f"{job_name_prefix()}.lock")
    if not os.path.exists(path):
        return False
    try:
        with open(path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except OSError:
        return True


def queue_counts():
    """{"analysis": {state: n}, "plugin": {state: n}} for the active states (two queries)."""
    out = {}
    for label, model in (("analysis", AnalysisJob), ("plugin", PluginResultJob)):
        rows = model.objects.filter(state__in=JobState.ACTIVE).values("state").annotate(n=Count("pk"))
        counts = {s: 0 for s in JobState.ACTIVE}
        counts.update({r["state"]: r["n"] for r in rows})
        out[label] = counts
    return out


def grid_queues():
    """Grid Engine queue summary from `qstat -g c` ([{queue, used, available, total}]), or
    (None, reason) when Grid Engine is not reachable."""
    import shutil
    import subprocess

    if not shutil.which("qstat"):
        return None, "Grid Engine is not installed on this server (jobs run locally)."
    try:
        out = subprocess.run(["qstat", "-g", "c"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"qstat failed: {exc}"
    if out.returncode != 0:
        return None, (out.stderr or out.stdout).strip()[:500] or "qstat failed"
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 6 and not line.startswith("-"):
            rows.append({"queue": parts[0], "load": parts[1], "used": parts[2], "available": parts[4],
                         "total": parts[5]})
    return rows, ""
