"""`manage.py run_analysis <result pk>`: the analysis job of one report (pipeline.analysis).

The job script written by pipeline.analysis_launch runs this in the report folder. Exit
status 0 when the report ends Completed, 1 when it ends in `Error: <reason>` (the reason is
printed on stderr and kept in the report's ReportLog.html), so the job service records the
job as Completed or Error.
"""
from django.core.management.base import BaseCommand, CommandError

from pipeline.analysis import run_analysis
from rundb.models import Results


class Command(BaseCommand):
    help = "Run the analysis pipeline of one report (Results pk): stages, metric rows, plugin run levels."

    def add_arguments(self, parser):
        parser.add_argument("result", type=int, help="Results (report) primary key")

    def handle(self, *args, **options):
        try:
            outcome = run_analysis(options["result"], stream=self.stdout)
        except Results.DoesNotExist:
            raise CommandError(f"no report with pk {options['result']}") from None
        if not outcome.ok:
            raise CommandError(f"report {outcome.result_pk}: {outcome.status} ({outcome.reason})", returncode=1)
        self.stdout.write(f"report {outcome.result_pk}: {outcome.status} in {outcome.seconds:.1f}s")
