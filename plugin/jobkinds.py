"""The plugin app's job kind: one grid job per PluginResultJob row (registered in plugin/apps.py)."""
import logging

from django.conf import settings

from rundb.models import JobState, PluginResultJob
from sge.jobkinds import JobKind, pick_env

from .services.launch_script import exit_code_path
from .services.pluginresults import update_usage
from .services.results_store import ingest_results_json

log = logging.getLogger(__name__)

# Plugin jobs get only the basics: the launch script exports the plugin environment itself.
_PLUGIN_ENV_NAMES = ("PATH", "LANG", "LC_ALL", "TZ")


class PluginJobKind(JobKind):
    tag = "prj"
    model = PluginResultJob

    def rows(self):
        return PluginResultJob.objects.select_related("plugin_result__plugin")

    def candidates(self):
        return super().candidates().prefetch_related("depends_on")

    def exitcode_file(self, row) -> str:
        # The launch script writes this file itself; the backend wrapper writes the same one.
        return str(exit_code_path(row, self.work_dir(row)))

    def job_env(self, row) -> dict:
        return pick_env(_PLUGIN_ENV_NAMES)

    def queue(self) -> str:
        return getattr(settings, "ION_SGE_PLUGIN_QUEUE", "")

    def dependencies(self, row) -> list:
        return list(row.depends_on.all())

    def state_for_exit(self, code):
        # The launch script's own protocol: TERM -> Cancelled (143), USR1 -> Timed Out (124).
        if code == 143:
            return JobState.CANCELLED
        if code == 124:
            return JobState.TIMED_OUT
        return JobState.ERROR

    def on_final(self, pk) -> None:
        """Store the job's results.json in its run (its callback may not have reached the
        server); once every job of the run has finished, record the run's disk usage."""
        row = PluginResultJob.objects.select_related("plugin_result__plugin", "plugin_result__result").get(pk=pk)
        pr = row.plugin_result
        try:
            ingest_results_json(row)
        except Exception:  # bookkeeping of its own: disk usage is still recorded
            log.exception("storing results.json of plugin job %s failed", pk)
        if not pr.plugin_result_jobs.filter(state__in=JobState.ACTIVE).exists():
            update_usage(pr)
